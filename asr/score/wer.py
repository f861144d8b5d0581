"""Word error rate with jiwer, scored the way Kaldi's ``compute-wer`` scores it."""

from __future__ import annotations

from dataclasses import dataclass

import jiwer
import numpy as np

__all__ = ["MODES", "WerStats", "UttAlignment", "align_utterances", "kaldi_percent"]

MODES = ("strict", "present", "all")


def kaldi_percent(errors: int, total: int) -> float:
    """``100 * errors / total`` rounded to float32, as Kaldi's ``BaseFloat`` holds it.

    Printing this with ``%.2f`` then gives the digits ``compute-wer`` prints, also at
    the rare values where float32 and float64 round differently.
    """
    if total <= 0:
        raise ValueError(f"kaldi_percent: total must be positive, got {total}")
    return float(np.float32(100.0 * errors / total))


@dataclass(frozen=True)
class WerStats:
    """Corpus-level counts, the numbers in ``compute-wer``'s three output lines.

    Attributes:
        words (int): reference words in the scored utterances.
        ins (int), dels (int), subs (int): insertions, deletions, substitutions.
        sent_errors (int): scored utterances whose hypothesis differs from the reference.
        sentences (int): scored utterances.
        absent (int): reference utterances with no hypothesis (Kaldi's "not present in
            hyp"); when non-zero the result is partial.
    """

    words: int
    ins: int
    dels: int
    subs: int
    sent_errors: int
    sentences: int
    absent: int = 0

    @property
    def errors(self) -> int:
        return self.ins + self.dels + self.subs

    @property
    def wer(self) -> float:
        """Word error rate in percent (float32 precision, like Kaldi)."""
        return kaldi_percent(self.errors, self.words)

    @property
    def ser(self) -> float:
        """Sentence error rate in percent (float32 precision, like Kaldi)."""
        return kaldi_percent(self.sent_errors, self.sentences)

    @property
    def partial(self) -> bool:
        return self.absent > 0


@dataclass(frozen=True)
class UttAlignment:
    """One utterance's word alignment.

    Attributes:
        utt (str): utterance id.
        ref (list[str | None]): reference words, ``None`` where the hypothesis inserted one.
        hyp (list[str | None]): hypothesis words, ``None`` where a reference word was deleted.
        ops (list[str]): ``C`` (correct), ``S``, ``I`` or ``D`` per aligned position.
    """

    utt: str
    ref: list[str | None]
    hyp: list[str | None]
    ops: list[str]

    def count(self, op: str) -> int:
        """Number of positions with edit operation ``op`` (``C``, ``S``, ``I`` or ``D``)."""
        return self.ops.count(op)


_OP_OF_CHUNK = {"equal": "C", "substitute": "S", "insert": "I", "delete": "D"}


def _chunk_alignment(utt: str, ref: list[str], hyp: list[str],
                     chunks: list[jiwer.AlignmentChunk]) -> UttAlignment:
    out_ref: list[str | None] = []
    out_hyp: list[str | None] = []
    ops: list[str] = []
    for chunk in chunks:
        op = _OP_OF_CHUNK[chunk.type]
        ref_words = ref[chunk.ref_start_idx:chunk.ref_end_idx]
        hyp_words = hyp[chunk.hyp_start_idx:chunk.hyp_end_idx]
        n = max(len(ref_words), len(hyp_words))
        out_ref.extend(ref_words if op != "I" else [None] * n)
        out_hyp.extend(hyp_words if op != "D" else [None] * n)
        ops.extend([op] * n)
    return UttAlignment(utt=utt, ref=out_ref, hyp=out_hyp, ops=ops)


def align_utterances(ref: dict[str, list[str]], hyp: dict[str, list[str]], mode: str = "strict",
                     ref_name: str = "ref", hyp_name: str = "hyp"
                     ) -> tuple[WerStats, list[UttAlignment]]:
    """Align every reference utterance with its hypothesis and count errors.

    Args:
        ref (dict[str, list[str]]): utterance id to reference words (none may be empty);
            its order is the output order.
        hyp (dict[str, list[str]]): utterance id to hypothesis words (may be empty).
        mode (str): what to do with a reference utterance missing from ``hyp``, as
            ``compute-wer --mode``: ``"strict"`` is an error, ``"present"`` skips it,
            ``"all"`` scores it against an empty hypothesis; in the last two it counts as
            absent and makes the result partial. (Default: ``"strict"``)
        ref_name (str), hyp_name (str): names (e.g. file paths) used in error messages.

    Returns:
        (WerStats, list[UttAlignment]): totals, and one alignment per scored utterance in
        reference order.

    Raises:
        ValueError: unknown ``mode``; an empty reference; hypothesis utterances that are
            not in the reference (a mismatch of sets); a missing hypothesis in strict mode;
            nothing left to score.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    extra = [utt for utt in hyp if utt not in ref]
    if extra:
        shown = ", ".join(extra[:5]) + (", ..." if len(extra) > 5 else "")
        raise ValueError(f"{hyp_name}: {len(extra)} utterance(s) not in {ref_name}: {shown}")
    empty = [utt for utt, words in ref.items() if not words]
    if empty:
        raise ValueError(f"{ref_name}: empty reference transcript for utterance {empty[0]}")
    missing = [utt for utt in ref if utt not in hyp]
    if missing and mode == "strict":
        raise ValueError(f"{hyp_name}: no hypothesis for utterance {missing[0]} "
                         f"({len(missing)} missing; mode is strict)")
    scored = [utt for utt in ref if utt in hyp or mode == "all"]
    if not scored:
        raise ValueError(f"{hyp_name}: none of the {len(ref)} utterances of {ref_name} "
                         f"has a hypothesis")
    ref_words = [ref[utt] for utt in scored]
    hyp_words = [hyp.get(utt, []) for utt in scored]
    # Words never contain whitespace (they come from str.split), so joining with single
    # spaces and jiwer's default whitespace split round-trip exactly.
    out = jiwer.process_words([" ".join(w) for w in ref_words], [" ".join(w) for w in hyp_words])
    alignments = [_chunk_alignment(utt, r, h, chunks)
                  for utt, r, h, chunks in zip(scored, ref_words, hyp_words, out.alignments)]
    stats = WerStats(
        words=sum(len(w) for w in ref_words), ins=out.insertions, dels=out.deletions,
        subs=out.substitutions, sentences=len(scored),
        sent_errors=sum(r != h for r, h in zip(ref_words, hyp_words)), absent=len(missing))
    return stats, alignments
