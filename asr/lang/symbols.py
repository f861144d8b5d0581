"""Kaldi symbol tables (``phones.txt``, ``words.txt``): one ``symbol id`` pair per line."""

from __future__ import annotations

import os
from typing import Iterable, Iterator

from asr.utils.fileio import atomic_write, read_lines

__all__ = ["SymbolTable"]


class SymbolTable:
    """A bijection between symbols and non-negative integer ids.

    Args:
        pairs (iterable of (str, int)): ``(symbol, id)`` pairs; ids need not be contiguous.

    Raises:
        ValueError: a duplicate symbol or id, a negative id, or a symbol with whitespace.
    """

    def __init__(self, pairs: Iterable[tuple[str, int]] = ()) -> None:
        self._sym2id: dict[str, int] = {}
        self._id2sym: dict[int, str] = {}
        for sym, idx in pairs:
            self.add(sym, idx)

    @classmethod
    def from_symbols(cls, symbols: Iterable[str], start: int = 0) -> "SymbolTable":
        """Number ``symbols`` consecutively from ``start``. (Default: ``0``)"""
        return cls((sym, i) for i, sym in enumerate(symbols, start))

    @classmethod
    def read(cls, path: str | os.PathLike) -> "SymbolTable":
        """Read a Kaldi symbol table; errors name the file and line."""
        table = cls()
        for lineno, line in enumerate(read_lines(path), 1):
            fields = line.split()
            if len(fields) != 2 or not fields[1].isdigit():
                raise ValueError(f"{path}:{lineno}: expected 'symbol id', got {line!r}")
            try:
                table.add(fields[0], int(fields[1]))
            except ValueError as e:
                raise ValueError(f"{path}:{lineno}: {e}") from None
        return table

    def write(self, path: str | os.PathLike) -> None:
        """Write ``symbol id`` lines in id order, atomically."""
        with atomic_write(path) as f:
            for idx in sorted(self._id2sym):
                f.write(f"{self._id2sym[idx]} {idx}\n")

    def add(self, sym: str, idx: int | None = None) -> int:
        """Add ``sym`` with id ``idx`` (default: one more than the largest id); return the id."""
        if not sym or sym.split() != [sym]:
            raise ValueError(f"invalid symbol {sym!r} (empty or containing whitespace)")
        if idx is None:
            idx = max(self._id2sym, default=-1) + 1
        if idx < 0:
            raise ValueError(f"negative id {idx} for symbol {sym!r}")
        if sym in self._sym2id:
            raise ValueError(f"duplicate symbol {sym!r}")
        if idx in self._id2sym:
            raise ValueError(f"duplicate id {idx} (symbols {self._id2sym[idx]!r} and {sym!r})")
        self._sym2id[sym] = idx
        self._id2sym[idx] = sym
        return idx

    def id(self, sym: str) -> int:
        """The id of ``sym``; ``KeyError`` naming the symbol when absent."""
        try:
            return self._sym2id[sym]
        except KeyError:
            raise KeyError(f"symbol {sym!r} not in symbol table") from None

    def symbol(self, idx: int) -> str:
        """The symbol with id ``idx``; ``KeyError`` when absent."""
        try:
            return self._id2sym[idx]
        except KeyError:
            raise KeyError(f"id {idx} not in symbol table") from None

    def ids(self, symbols: Iterable[str]) -> list[int]:
        return [self.id(s) for s in symbols]

    def symbols(self, ids: Iterable[int]) -> list[str]:
        return [self.symbol(i) for i in ids]

    def __contains__(self, sym: object) -> bool:
        return sym in self._sym2id

    def __len__(self) -> int:
        return len(self._sym2id)

    def __iter__(self) -> Iterator[tuple[str, int]]:
        """``(symbol, id)`` pairs in id order."""
        return ((self._id2sym[i], i) for i in sorted(self._id2sym))

    @property
    def max_id(self) -> int:
        return max(self._id2sym, default=-1)
