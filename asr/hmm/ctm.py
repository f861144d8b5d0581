"""Time marks (CTM) from frame alignments of transition ids.

A transition-id alignment is split into phone instances the way Kaldi's ``SplitToPhones``
does: a phone ends on the frame whose transition goes to its HMM's final state. Words are
then found by matching the transcript's pronunciations (``phones/align_lexicon.int``,
position-dependent phones included) against the phone sequence, with the optional
silence phone allowed between words (Kaldi ``lattice-align-words-lexicon``).
CTM lines are Kaldi's: ``<utt-or-recording> 1 <start s> <duration s> <word-or-phone>``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from asr.hmm.transition import TransitionModel
from asr.lang.lang import Lang

__all__ = ["TimeMark", "split_to_phones", "align_words", "ctm_lines"]


@dataclass(frozen=True)
class TimeMark:
    """A phone or word ``label`` (integer id) over frames ``[start, start + length)``."""

    label: int
    start: int
    length: int


def split_to_phones(trans: TransitionModel, tids: np.ndarray) -> list[TimeMark]:
    """Phone instances of an alignment.

    Args:
        trans (TransitionModel): the model the alignment was made with.
        tids (np.ndarray): ``(T,)`` transition ids.

    Returns:
        list[TimeMark]: phone ids with their frames, covering all ``T`` frames in order.

    Raises:
        ValueError: an unknown transition id, or a phone that changes without leaving its
            HMM (not an alignment made with this model).
    """
    tids = np.asarray(tids, dtype=np.int64)
    if tids.ndim != 1 or len(tids) == 0:
        raise ValueError(f"expected a non-empty vector of transition ids, got shape {tids.shape}")
    if tids.min() < 1 or tids.max() > trans.num_tids:
        raise ValueError(f"transition ids must be in 1..{trans.num_tids}, got "
                         f"{tids.min()}..{tids.max()}")
    phones = trans.tid_phone[tids]
    final = np.array([trans.is_final(int(t)) for t in tids])
    out, start = [], 0
    for t in range(len(tids)):
        if t + 1 < len(tids) and not final[t] and phones[t + 1] != phones[t]:
            raise ValueError(f"frame {t + 1}: phone {phones[t + 1]} starts before phone "
                             f"{phones[t]} reached its final HMM state")
        if final[t] or t + 1 == len(tids):
            out.append(TimeMark(int(phones[t]), start, t + 1 - start))
            start = t + 1
    return out


def align_words(lang: Lang, word_ids: list[int], phones: list[TimeMark]) -> list[TimeMark]:
    """Word time marks: each word of ``word_ids`` over the phones of one of its
    pronunciations, in order; only the optional silence phone may lie between words.

    Raises:
        ValueError: the phones are not a pronunciation sequence of the words (a word
            with no pronunciation is named).
    """
    for w in word_ids:
        if w not in lang.pronunciations:
            raise ValueError(f"word {lang.words.symbol(w)!r} has no pronunciation in "
                             f"{lang.path}/phones/align_lexicon.int")
    seq = [p.label for p in phones]
    sil = lang.optional_silence
    failed: set[tuple[int, int]] = set()

    def search(i: int, j: int) -> list[tuple[int, int]] | None:
        """Phone spans ``(first, end)`` of words ``j...`` from phone ``i``, or None."""
        if j == len(word_ids):
            return [] if all(p == sil for p in seq[i:]) else None
        if (i, j) in failed:
            return None
        for pron in lang.pronunciations[word_ids[j]]:
            if seq[i:i + len(pron)] == pron:
                rest = search(i + len(pron), j + 1)
                if rest is not None:
                    return [(i, i + len(pron))] + rest
        if i < len(seq) and seq[i] == sil:
            rest = search(i + 1, j)
            if rest is not None:
                return rest
        failed.add((i, j))
        return None

    spans = search(0, 0)
    if spans is None:
        raise ValueError("the aligned phones (" + " ".join(lang.phones.symbols(seq)) + ") are "
                         "not a pronunciation of the words (" +
                         " ".join(lang.words.symbols(word_ids)) + ")")
    return [TimeMark(w, phones[a].start, phones[b - 1].start + phones[b - 1].length -
                     phones[a].start) for w, (a, b) in zip(word_ids, spans)]


def ctm_lines(key: str, marks: list[TimeMark], names: list[str], frame_shift: float = 0.01,
              offset: float = 0.0) -> list[str]:
    """Kaldi CTM lines ``key 1 start duration name`` (seconds, 2 decimals as Kaldi's
    ``nbest-to-ctm``; 3 when the frame shift is not a multiple of 10 ms).

    Args:
        key (str): utterance id, or recording id when ``offset`` is the segment start.
        marks (list[TimeMark]): time marks in frames; ``names[i]`` labels ``marks[i]``.
        frame_shift (float): seconds per frame. (Default: ``0.01``)
        offset (float): seconds added to every start. (Default: ``0.0``)
    """
    if len(names) != len(marks):
        raise ValueError(f"{len(marks)} time marks but {len(names)} names")
    digits = 2 if abs(round(frame_shift * 100) - frame_shift * 100) < 1e-9 else 3
    return [f"{key} 1 {offset + m.start * frame_shift:.{digits}f} "
            f"{m.length * frame_shift:.{digits}f} {name}" for m, name in zip(marks, names)]
