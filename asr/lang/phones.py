"""Word-position-dependent phones (``AH_B AH_E AH_I AH_S``) and the phone sets of a lang dir."""

from __future__ import annotations

from asr.lang.dict_dir import POSITION_SUFFIXES, DictDir
from asr.lang.lexicon import LexiconEntry

__all__ = ["add_word_positions", "make_phone_map", "expand", "word_boundary_tag",
           "position_questions"]


def add_word_positions(entries: list[LexiconEntry]) -> list[LexiconEntry]:
    """Mark each phone with its position in the word: ``_S`` for a one-phone word, else
    ``_B`` on the first phone, ``_E`` on the last and ``_I`` on the ones between."""
    out = []
    for e in entries:
        p = e.phones
        if len(p) == 1:
            phones = (p[0] + "_S",)
        else:
            phones = (p[0] + "_B",) + tuple(x + "_I" for x in p[1:-1]) + (p[-1] + "_E",)
        out.append(LexiconEntry(e.word, e.prob, phones))
    return out


def make_phone_map(d: DictDir, position_dependent: bool) -> dict[str, list[str]]:
    """Each source phone to the phones it becomes in the lang dir.

    With position-dependent phones a non-silence phone ``AH`` becomes ``AH_B AH_E AH_I
    AH_S``; a silence phone ``SIL`` keeps its plain form too (``SIL SIL_B SIL_E SIL_I
    SIL_S``), because optional silence between words belongs to no word. Without them
    every phone maps to itself. Order: silence phones first, then non-silence, in file
    order; this is the order of ``phones.txt``.
    """
    out: dict[str, list[str]] = {}
    for lines, is_silence in ((d.silence_phones, True), (d.nonsilence_phones, False)):
        for line in lines:
            for p in line:
                if not position_dependent:
                    out[p] = [p]
                else:
                    out[p] = ([p] if is_silence else []) + [p + s for s in POSITION_SUFFIXES]
    return out


def expand(phones: list[str], phone_map: dict[str, list[str]]) -> list[str]:
    """All lang-dir phones of the given source phones, in order."""
    return [v for p in phones for v in phone_map[p]]


def word_boundary_tag(phone: str) -> str:
    """Kaldi's ``word_boundary.txt`` category of a position-dependent phone:
    ``begin``, ``end``, ``internal``, ``singleton``, or ``nonword`` (no marker)."""
    tags = {"_B": "begin", "_E": "end", "_I": "internal", "_S": "singleton"}
    return tags.get(phone[-2:], "nonword")


def position_questions(d: DictDir) -> list[list[str]]:
    """Extra tree questions that ask about word position: for each marker, the
    non-silence phones carrying it; then for each form (plain and marked) the silence phones."""
    nonsil = [p for line in d.nonsilence_phones for p in line]
    sil = [p for line in d.silence_phones for p in line]
    questions = [[p + s for p in nonsil] for s in POSITION_SUFFIXES]
    questions += [[p + s for p in sil] for s in ("",) + POSITION_SUFFIXES]
    return questions
