"""Kaldi dictionary dirs (``data/local/dict``): the lexicon and its phone inventory.

Files: ``lexicon.txt`` (or ``lexiconp.txt``, preferred when both exist, as in Kaldi),
``silence_phones.txt`` and ``nonsilence_phones.txt`` (one base phone per line, or several
variants of one base phone on a line, which then share a tree root),
``optional_silence.txt`` (one silence phone), optional ``extra_questions.txt``.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from asr.lang.lexicon import LexiconEntry, read_lexicon
from asr.utils.fileio import read_lines

__all__ = ["DictDir", "load_dict_dir", "POSITION_SUFFIXES"]

# Kaldi's word-position markers: Begin, End, Internal, Singleton.
POSITION_SUFFIXES = ("_B", "_E", "_I", "_S")

_log = logging.getLogger(__name__)


@dataclass
class DictDir:
    """A validated dictionary dir.

    Attributes:
        silence_phones (list[list[str]]): lines of ``silence_phones.txt``.
        nonsilence_phones (list[list[str]]): lines of ``nonsilence_phones.txt``.
        optional_silence (str): the phone inserted optionally between words, e.g. ``SIL``.
        lexicon (list[LexiconEntry]): the pronunciations.
        extra_questions (list[list[str]]): lines of ``extra_questions.txt`` (may be empty).
    """

    path: Path
    silence_phones: list[list[str]]
    nonsilence_phones: list[list[str]]
    optional_silence: str
    lexicon: list[LexiconEntry]
    extra_questions: list[list[str]] = field(default_factory=list)

    @property
    def words(self) -> list[str]:
        """Distinct words, in lexicon order."""
        return list(dict.fromkeys(e.word for e in self.lexicon))


def _read_phone_lines(path: Path, allow_empty_file: bool = False) -> list[list[str]]:
    lines = [line.split() for line in read_lines(path)]
    for lineno, phones in enumerate(lines, 1):
        if not phones:
            raise ValueError(f"{path}:{lineno}: empty line")
        for p in phones:
            if p == "<eps>" or p.startswith("#"):
                raise ValueError(f"{path}:{lineno}: {p!r} may not be a phone "
                                 "(<eps> and #-prefixed symbols are reserved)")
    if not lines and not allow_empty_file:
        raise ValueError(f"{path}: no phones")
    return lines


def load_dict_dir(path: str | os.PathLike, position_dependent: bool = True) -> DictDir:
    """Read and validate a dictionary dir.

    Args:
        path (str or PathLike): the dir.
        position_dependent (bool): phones will get ``_B _E _I _S`` markers, so a source
            phone may not already end in one (it would be ambiguous). (Default: ``True``)

    Raises:
        ValueError: a missing file, a phone listed twice, an optional silence that is not
            a silence phone, or a lexicon phone that no phone list has (naming file and line).
    """
    path = Path(path)
    for name in ("silence_phones.txt", "nonsilence_phones.txt", "optional_silence.txt"):
        if not (path / name).is_file():
            raise ValueError(f"{path}: missing {name}")
    sil = _read_phone_lines(path / "silence_phones.txt")
    nonsil = _read_phone_lines(path / "nonsilence_phones.txt")
    where: dict[str, str] = {}
    for name, lines in (("silence_phones.txt", sil), ("nonsilence_phones.txt", nonsil)):
        for lineno, phones in enumerate(lines, 1):
            for p in phones:
                here = f"{path / name}:{lineno}"
                if p in where:
                    raise ValueError(f"{here}: phone {p!r} already listed at {where[p]}")
                if position_dependent and p.endswith(POSITION_SUFFIXES):
                    raise ValueError(f"{here}: phone {p!r} ends in a word-position marker "
                                     f"({' '.join(POSITION_SUFFIXES)}); rename it or use "
                                     "position-independent phones")
                where[p] = here
    opt = _read_phone_lines(path / "optional_silence.txt")
    if len(opt) != 1 or len(opt[0]) != 1:
        raise ValueError(f"{path / 'optional_silence.txt'}: expected exactly one phone")
    optional_silence = opt[0][0]
    if optional_silence not in {p for line in sil for p in line}:
        raise ValueError(f"{path / 'optional_silence.txt'}: {optional_silence!r} is not in "
                         "silence_phones.txt")

    with_probs = (path / "lexiconp.txt").is_file()
    lexicon_file = path / ("lexiconp.txt" if with_probs else "lexicon.txt")
    if not lexicon_file.is_file():
        raise ValueError(f"{path}: missing lexicon.txt (or lexiconp.txt)")
    lexicon = read_lexicon(lexicon_file, with_probs=with_probs)
    for lineno, e in enumerate(lexicon, 1):
        for p in e.phones:
            if p not in where:
                raise ValueError(f"{lexicon_file}:{lineno}: phone {p!r} of word {e.word!r} is "
                                 "in neither silence_phones.txt nor nonsilence_phones.txt")
    used = {p for e in lexicon for p in e.phones}
    unused = [p for line in nonsil for p in line if p not in used]
    if unused:
        _log.warning("%s: non-silence phones used by no word: %s", path, " ".join(unused))

    extra: list[list[str]] = []
    if (path / "extra_questions.txt").is_file():
        extra = _read_phone_lines(path / "extra_questions.txt", allow_empty_file=True)
        for lineno, phones in enumerate(extra, 1):
            for p in phones:
                if p not in where:
                    raise ValueError(f"{path / 'extra_questions.txt'}:{lineno}: unknown phone {p!r}")
    return DictDir(path=path, silence_phones=sil, nonsilence_phones=nonsil,
                   optional_silence=optional_silence, lexicon=lexicon, extra_questions=extra)
