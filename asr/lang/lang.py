"""Load a lang dir written by ``utils/prepare_lang.sh`` for graph building and HMM training."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import kaldifst

from asr.lang.lexicon import is_disambig_symbol
from asr.lang.symbols import SymbolTable
from asr.lang.topology import Topology
from asr.utils.fileio import read_lines

__all__ = ["Lang", "load_lang"]

_REQUIRED = ("phones.txt", "words.txt", "topo", "oov.txt", "L.fst", "L_disambig.fst",
             "phones/silence.int", "phones/nonsilence.int", "phones/optional_silence.int",
             "phones/disambig.int", "phones/context_indep.int", "phones/sets.int",
             "phones/roots.int", "phones/extra_questions.int", "phones/wdisambig_phones.int",
             "phones/wdisambig_words.int", "phones/align_lexicon.int")


@dataclass
class Lang:
    """A lang dir in memory. Phone and word lists hold integer ids.

    Attributes:
        path (Path): the dir.
        phones (SymbolTable), words (SymbolTable): ``phones.txt``, ``words.txt``.
        topo (Topology): the HMM topology.
        silence_phones, nonsilence_phones, context_indep, disambig_phones (list[int]).
        optional_silence (int): the phone of optional silence between words.
        sets (list[list[int]]): phones that share a tree root, one list per root.
        roots (list[tuple[str, str, list[int]]]): ``(shared, split, phones)`` per root.
        extra_questions (list[list[int]]): extra questions for tree building.
        word_boundary (dict[int, str] or None): phone to ``begin``/``end``/``internal``/
            ``singleton``/``nonword``; ``None`` without position-dependent phones.
        oov_word (str), oov_id (int): the word unknown words map to.
        wdisambig_phones, wdisambig_words (list[int]): ``#0`` in each table.
        pronunciations (dict[int, list[list[int]]]): word id to its pronunciations as
            phone ids (``phones/align_lexicon.int``; ``<eps>`` holds optional silence).
    """

    path: Path
    phones: SymbolTable
    words: SymbolTable
    topo: Topology
    silence_phones: list[int]
    nonsilence_phones: list[int]
    optional_silence: int
    disambig_phones: list[int]
    context_indep: list[int]
    sets: list[list[int]]
    roots: list[tuple[str, str, list[int]]]
    extra_questions: list[list[int]]
    word_boundary: dict[int, str] | None
    oov_word: str
    oov_id: int
    wdisambig_phones: list[int]
    wdisambig_words: list[int]
    pronunciations: dict[int, list[list[int]]]

    @property
    def position_dependent(self) -> bool:
        return self.word_boundary is not None

    @property
    def real_phones(self) -> list[int]:
        """Phones that have HMMs: everything but ``<eps>`` and disambiguation symbols."""
        return sorted(self.silence_phones + self.nonsilence_phones)

    def load_fst(self, name: str) -> kaldifst.StdVectorFst:
        """Read ``<lang>/<name>`` (e.g. ``L.fst``, ``L_disambig.fst``, ``G.fst``)."""
        path = self.path / name
        if not path.is_file():
            raise ValueError(f"{path}: no such file")
        fst = kaldifst.StdVectorFst.read(str(path))
        if fst is None:
            raise ValueError(f"{path}: not a binary OpenFst file of standard arcs")
        return fst

    def word_ids(self, words: list[str], where: str = "") -> list[int]:
        """Map words to ids; ``ValueError`` naming the first word not in ``words.txt``."""
        out = []
        for w in words:
            if w not in self.words or is_disambig_symbol(w) or w in ("<eps>", "<s>", "</s>"):
                raise ValueError(f"{where + ': ' if where else ''}word {w!r} is not in the "
                                 f"lexicon ({self.path / 'words.txt'})")
            out.append(self.words.id(w))
        return out


def _ints(path: Path) -> list[list[int]]:
    out = []
    for lineno, line in enumerate(read_lines(path), 1):
        try:
            out.append([int(x) for x in line.split()])
        except ValueError:
            raise ValueError(f"{path}:{lineno}: expected integers, got {line!r}") from None
    return out


def _flat(path: Path) -> list[int]:
    return [i for row in _ints(path) for i in row]


def load_lang(path: str | os.PathLike) -> Lang:
    """Read and cross-check a lang dir.

    Raises:
        ValueError: a missing file (named), or phone lists that disagree with
            ``phones.txt`` and ``topo`` (every phone but ``<eps>`` and ``#n`` must be
            silence or non-silence, not both, and have a topology entry).
    """
    path = Path(path)
    for name in _REQUIRED:
        if not (path / name).is_file():
            raise ValueError(f"{path}: missing {name} (not a lang dir made by prepare_lang?)")
    phones = SymbolTable.read(path / "phones.txt")
    words = SymbolTable.read(path / "words.txt")
    topo = Topology.read(path / "topo")
    silence = _flat(path / "phones/silence.int")
    nonsilence = _flat(path / "phones/nonsilence.int")
    disambig = _flat(path / "phones/disambig.int")
    real = sorted(i for s, i in phones if s != "<eps>" and not is_disambig_symbol(s))
    if sorted(silence + nonsilence) != real:
        raise ValueError(f"{path}: phones/silence.int and phones/nonsilence.int do not "
                         "partition the phones of phones.txt")
    if sorted(disambig) != sorted(i for s, i in phones if is_disambig_symbol(s)):
        raise ValueError(f"{path}: phones/disambig.int disagrees with phones.txt")
    if topo.phones != real:
        missing = sorted(set(real) - set(topo.phones))
        raise ValueError(f"{path}/topo: covers phones {topo.phones}, expected {real}"
                         + (f" (missing {phones.symbols(missing)})" if missing else ""))
    optional_silence = _flat(path / "phones/optional_silence.int")
    if len(optional_silence) != 1:
        raise ValueError(f"{path}/phones/optional_silence.int: expected exactly one phone id")
    roots = []
    for lineno, line in enumerate(read_lines(path / "phones/roots.int"), 1):
        f = line.split()
        if len(f) < 3 or f[0] not in ("shared", "not-shared") or f[1] not in ("split", "not-split"):
            raise ValueError(f"{path}/phones/roots.int:{lineno}: expected "
                             f"'shared|not-shared split|not-split phone...', got {line!r}")
        roots.append((f[0], f[1], [int(x) for x in f[2:]]))
    word_boundary = None
    if (path / "phones/word_boundary.int").is_file():
        word_boundary = {}
        for lineno, line in enumerate(read_lines(path / "phones/word_boundary.int"), 1):
            f = line.split()
            if len(f) != 2 or not f[0].isdigit():
                raise ValueError(f"{path}/phones/word_boundary.int:{lineno}: bad line {line!r}")
            word_boundary[int(f[0])] = f[1]
    oov_lines = read_lines(path / "oov.txt")
    if len(oov_lines) != 1 or oov_lines[0].strip() not in words:
        raise ValueError(f"{path}/oov.txt: expected one word of words.txt")
    oov_word = oov_lines[0].strip()
    prons: dict[int, list[list[int]]] = {}
    for lineno, row in enumerate(_ints(path / "phones/align_lexicon.int"), 1):
        if len(row) < 3 or row[0] != row[1]:
            raise ValueError(f"{path}/phones/align_lexicon.int:{lineno}: expected "
                             "'word word phone...'")
        prons.setdefault(row[0], []).append(row[2:])
    return Lang(path=path, phones=phones, words=words, topo=topo, silence_phones=silence,
                nonsilence_phones=nonsilence, optional_silence=optional_silence[0],
                disambig_phones=disambig, context_indep=_flat(path / "phones/context_indep.int"),
                sets=_ints(path / "phones/sets.int"), roots=roots,
                extra_questions=_ints(path / "phones/extra_questions.int"),
                word_boundary=word_boundary, oov_word=oov_word, oov_id=words.id(oov_word),
                wdisambig_phones=_flat(path / "phones/wdisambig_phones.int"),
                wdisambig_words=_flat(path / "phones/wdisambig_words.int"),
                pronunciations=prons)
