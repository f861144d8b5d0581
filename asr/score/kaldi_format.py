"""Kaldi's scoring file formats: transcripts in, ``wer`` and ``wer_details/*`` out.

Formats follow Kaldi: the ``wer`` file is ``compute-wer``'s output, ``per_utt`` is
``utils/scoring/wer_per_utt_details.pl`` after ``align-text --special-symbol='***'``, and
``ops`` is ``utils/scoring/wer_ops_details.pl`` sorted as ``steps/scoring/score_kaldi_wer.sh``
sorts it.
"""

from __future__ import annotations

import os
import re
from collections import Counter

from asr.score.wer import UttAlignment, WerStats
from asr.utils.fileio import read_lines, read_table

__all__ = ["GAP", "read_text", "format_wer_lines", "parse_wer_lines", "read_wer_file",
           "format_per_utt", "format_ops"]

GAP = "***"

_WER_RE = re.compile(r"%WER (\d+\.\d\d) \[ (\d+) / (\d+), (\d+) ins, (\d+) del, (\d+) sub \]"
                     r"( \[PARTIAL\])?")
_SER_RE = re.compile(r"%SER (\d+\.\d\d) \[ (\d+) / (\d+) \]")
_SCORED_RE = re.compile(r"Scored (\d+) sentences, (\d+) not present in hyp\.")


def read_text(path: str | os.PathLike, allow_empty: bool) -> dict[str, list[str]]:
    """Read a Kaldi ``text`` file (``utt-id word word ...`` per line).

    Args:
        path (str or PathLike): the file.
        allow_empty (bool): whether a line may hold only the utterance id (an empty
            transcript: allowed for hypotheses, an error for references).

    Returns:
        dict[str, list[str]]: utterance id to words, in file order.

    Raises:
        ValueError: duplicate ids, invalid UTF-8, or (``allow_empty=False``) an empty
            transcript, naming file and line.
    """
    # read_table rejects blank lines and duplicates, so its n-th key is on line n.
    table = read_table(path, min_fields=1)
    out: dict[str, list[str]] = {}
    for lineno, (utt, rest) in enumerate(table.items(), 1):
        words = rest.split()
        if not words and not allow_empty:
            raise ValueError(f"{path}:{lineno}: empty transcript for utterance {utt}")
        out[utt] = words
    return out


def format_wer_lines(stats: WerStats) -> list[str]:
    """``compute-wer``'s three lines (without newlines), e.g.::

        %WER 1.23 [ 4 / 325, 1 ins, 2 del, 1 sub ]
        %SER 10.00 [ 2 / 20 ]
        Scored 20 sentences, 0 not present in hyp.

    The ``%WER`` line ends in `` [PARTIAL]`` when some utterances had no hypothesis.
    """
    partial = " [PARTIAL]" if stats.partial else ""
    return [
        f"%WER {stats.wer:.2f} [ {stats.errors} / {stats.words}, {stats.ins} ins, "
        f"{stats.dels} del, {stats.subs} sub ]{partial}",
        f"%SER {stats.ser:.2f} [ {stats.sent_errors} / {stats.sentences} ]",
        f"Scored {stats.sentences} sentences, {stats.absent} not present in hyp.",
    ]


def parse_wer_lines(lines: list[str], name: str) -> WerStats:
    """Parse the lines of a ``wer`` file written by :func:`format_wer_lines` (or Kaldi).

    Args:
        lines (list[str]): the file's lines, without newlines.
        name (str): file name for error messages.

    Raises:
        ValueError: a missing or garbled line, or numbers that disagree with each other
            (percentages, error sums, partial tag), naming the file and line.
    """
    if len(lines) != 3:
        raise ValueError(f"{name}: expected 3 lines (%WER, %SER, Scored), got {len(lines)}")
    matches = [_WER_RE.fullmatch(lines[0]), _SER_RE.fullmatch(lines[1]),
               _SCORED_RE.fullmatch(lines[2])]
    for lineno, (m, what) in enumerate(zip(matches, ("%WER", "%SER", "Scored")), 1):
        if m is None:
            raise ValueError(f"{name}:{lineno}: not a {what} line: {lines[lineno - 1]!r}")
    wer_m, ser_m, scored_m = matches
    errors, words, ins, dels, subs = (int(x) for x in wer_m.group(2, 3, 4, 5, 6))
    sent_errors, sentences = int(ser_m.group(2)), int(ser_m.group(3))
    scored, absent = int(scored_m.group(1)), int(scored_m.group(2))
    stats = WerStats(words=words, ins=ins, dels=dels, subs=subs, sent_errors=sent_errors,
                     sentences=sentences, absent=absent)
    problems = []
    if errors != ins + dels + subs:
        problems.append(f"{errors} errors but {ins} + {dels} + {subs} ins/del/sub")
    if words == 0 or sentences == 0:
        problems.append("zero words or sentences")
    elif (f"{stats.wer:.2f}" != wer_m.group(1) or f"{stats.ser:.2f}" != ser_m.group(1)):
        problems.append("percentages do not match the counts")
    if scored != sentences:
        problems.append(f"%SER counts {sentences} sentences but {scored} were scored")
    if (wer_m.group(7) is not None) != (absent > 0):
        problems.append(f"[PARTIAL] tag disagrees with {absent} not present in hyp")
    if problems:
        raise ValueError(f"{name}: inconsistent numbers: {'; '.join(problems)}")
    return stats


def read_wer_file(path: str | os.PathLike) -> WerStats:
    """Read a decode dir's ``wer`` file; see :func:`parse_wer_lines`."""
    return parse_wer_lines(read_lines(path), name=str(path))


def _centre(word: str, width: int) -> str:
    # wer_per_utt_details.pl's cjustify: the odd space goes to the left.
    right = (width - len(word)) // 2
    return " " * (width - len(word) - right) + word + " " * right


def format_per_utt(alignments: list[UttAlignment], gap: str = GAP) -> list[str]:
    """Kaldi's ``wer_details/per_utt`` lines: ``ref``, ``hyp``, ``op``, ``#csid`` per utterance.

    Args:
        alignments (list[UttAlignment]): from :func:`asr.score.wer.align_utterances`.
        gap (str): written for an insertion in ``ref`` and a deletion in ``hyp``.
            (Default: ``"***"``, as Kaldi's ``score_kaldi_wer.sh``)

    Each column is centred on the width of its longest entry; columns are separated by
    two spaces.
    """
    lines = []
    for a in alignments:
        ref = [gap if w is None else w for w in a.ref]
        hyp = [gap if w is None else w for w in a.hyp]
        widths = [max(len(r), len(h), len(o)) for r, h, o in zip(ref, hyp, a.ops)]
        for tag, row in (("ref  ", ref), ("hyp  ", hyp), ("op   ", a.ops)):
            lines.append(f"{a.utt} {tag}" + "  ".join(_centre(w, n) for w, n in zip(row, widths)))
        lines.append(f"{a.utt} #csid {a.count('C')} {a.count('S')} {a.count('I')} {a.count('D')}")
    return lines


_OP_NAMES = {"C": "correct", "D": "deletion", "I": "insertion", "S": "substitution"}


def format_ops(alignments: list[UttAlignment], max_width: int = 16) -> list[str]:
    """Kaldi's ``wer_details/ops``: how often each (ref word, hyp word) pair occurred.

    Lines are ``<operation> <ref> <hyp> <count>`` with words right-aligned (width capped
    at ``max_width``, default ``16``), sorted by operation, then count (descending), then
    words, as ``score_kaldi_wer.sh`` sorts them.
    """
    counts = Counter((op, GAP if r is None else r, GAP if h is None else h)
                     for a in alignments for op, r, h in zip(a.ops, a.ref, a.hyp))
    if not counts:
        return []
    word_w = min(max_width, max(max(len(r), len(h)) for _, r, h in counts))
    count_w = max(len(str(n)) for n in counts.values())
    rows = sorted(counts.items(), key=lambda kv: (_OP_NAMES[kv[0][0]], -kv[1],
                                                  kv[0][1].encode(), kv[0][2].encode()))
    return [f"{_OP_NAMES[op]:<14}{r:>{word_w}}    {h:>{word_w}}    {n:>{count_w}}"
            for (op, r, h), n in rows]
