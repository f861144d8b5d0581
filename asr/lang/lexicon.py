"""Pronunciation lexicons (Kaldi ``lexicon.txt`` / ``lexiconp.txt``) and disambiguation symbols."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Iterable

from asr.utils.fileio import atomic_write, read_lines

__all__ = ["LexiconEntry", "RESERVED_WORDS", "read_lexicon", "write_lexicon",
           "add_disambig_symbols", "is_disambig_symbol"]

# Symbols a lexicon may not define: FST epsilon, sentence boundaries of the LM.
RESERVED_WORDS = ("<eps>", "<s>", "</s>")


@dataclass(frozen=True)
class LexiconEntry:
    """One pronunciation: ``word`` spoken as ``phones`` with probability ``prob`` (0, 1]."""

    word: str
    prob: float
    phones: tuple[str, ...]


def is_disambig_symbol(sym: str) -> bool:
    """Kaldi's disambiguation symbols: ``#`` followed by a number, e.g. ``#0``, ``#12``."""
    return len(sym) > 1 and sym[0] == "#" and sym[1:].isdigit()


def read_lexicon(path: str | os.PathLike, with_probs: bool = False) -> list[LexiconEntry]:
    """Read ``word phone...`` lines (``word prob phone...`` when ``with_probs``).

    Args:
        path (str or PathLike): ``lexicon.txt`` or ``lexiconp.txt``.
        with_probs (bool): the second field is a pronunciation probability in (0, 1].
            Without it every pronunciation has probability 1.0, as in Kaldi. (Default: ``False``)

    Returns:
        list[LexiconEntry]: in file order.

    Raises:
        ValueError: naming file and line, for a line without phones, a bad probability,
            a reserved or ``#``-prefixed word, or a repeated (word, pronunciation) pair.
    """
    entries: list[LexiconEntry] = []
    seen: dict[tuple[str, tuple[str, ...]], int] = {}
    for lineno, line in enumerate(read_lines(path), 1):
        where = f"{path}:{lineno}"
        fields = line.split()
        if not fields:
            raise ValueError(f"{where}: empty line")
        word, rest = fields[0], fields[1:]
        prob = 1.0
        if with_probs:
            if not rest:
                raise ValueError(f"{where}: expected 'word prob phone...', got {line!r}")
            try:
                prob = float(rest[0])
            except ValueError:
                raise ValueError(f"{where}: pronunciation probability {rest[0]!r} is not a number") from None
            if not (0.0 < prob <= 1.0) or math.isnan(prob):
                raise ValueError(f"{where}: pronunciation probability {prob} not in (0, 1]")
            rest = rest[1:]
        if not rest:
            raise ValueError(f"{where}: word {word!r} has no phones")
        if word in RESERVED_WORDS or word.startswith("#"):
            raise ValueError(f"{where}: {word!r} may not be a word in the lexicon "
                             f"(reserved: {' '.join(RESERVED_WORDS)} and #-prefixed symbols)")
        key = (word, tuple(rest))
        if key in seen:
            raise ValueError(f"{where}: repeats the pronunciation of {word!r} from line {seen[key]}")
        seen[key] = lineno
        entries.append(LexiconEntry(word, prob, tuple(rest)))
    if not entries:
        raise ValueError(f"{path}: lexicon is empty")
    return entries


def write_lexicon(path: str | os.PathLike, entries: Iterable[LexiconEntry],
                  with_probs: bool = False) -> None:
    """Write entries in the given order (``word\\tprob\\tphones`` when ``with_probs``), atomically."""
    with atomic_write(path) as f:
        for e in entries:
            prob = f"\t{e.prob:g}" if with_probs else ""
            f.write(f"{e.word}{prob}\t{' '.join(e.phones)}\n")


def add_disambig_symbols(entries: list[LexiconEntry]) -> tuple[list[LexiconEntry], int]:
    """Append ``#1``, ``#2``... so that no pronunciation equals or prefixes another.

    A pronunciation that is shared by several entries (homophones) or is a proper prefix
    of another entry's pronunciation gets ``#1``; a further entry with the same phones
    gets ``#2``, and so on (Kaldi's ``add_lex_disambig.pl`` rule). ``#0`` is left for the
    grammar's back-off arcs.

    Returns:
        (list[LexiconEntry], int): the entries, in order, and the highest number used
        (``0`` when none was needed).
    """
    count: dict[tuple[str, ...], int] = {}
    prefixes: set[tuple[str, ...]] = set()
    for e in entries:
        count[e.phones] = count.get(e.phones, 0) + 1
        prefixes.update(e.phones[:n] for n in range(1, len(e.phones)))
    last_used: dict[tuple[str, ...], int] = {}
    out: list[LexiconEntry] = []
    max_disambig = 0
    for e in entries:
        if count[e.phones] == 1 and e.phones not in prefixes:
            out.append(e)
            continue
        n = last_used.get(e.phones, 0) + 1
        last_used[e.phones] = n
        max_disambig = max(max_disambig, n)
        out.append(LexiconEntry(e.word, e.prob, e.phones + (f"#{n}",)))
    return out, max_disambig
