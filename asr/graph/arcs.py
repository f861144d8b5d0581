"""Arc-wise edits of a graph in place: :func:`map_arcs`, and the word insertion penalty
(Kaldi ``lattice-add-penalty --word-ins-penalty``, applied to the decoding graph)."""

from __future__ import annotations

from typing import Callable

import kaldifst

__all__ = ["map_arcs", "add_word_insertion_penalty"]


def map_arcs(fst: kaldifst.StdVectorFst, fn: Callable[[kaldifst.StdArc], kaldifst.StdArc]) -> None:
    """Replace every arc ``a`` of ``fst`` with ``fn(a)``, keeping their order."""
    for state in kaldifst.StateIterator(fst):
        arcs = list(kaldifst.ArcIterator(fst, state))
        fst.delete_arcs(state, len(arcs))
        for a in arcs:
            fst.add_arc(state, fn(a))


def add_word_insertion_penalty(fst: kaldifst.StdVectorFst, penalty: float) -> None:
    """Add ``penalty`` to the cost of every arc that writes a word (non-zero output label).

    Every path of an ``HCLG`` or ``TLG`` writes each of its words on exactly one arc, so a
    path's cost grows by ``penalty`` times its number of words: a positive penalty trades
    insertions for deletions, as Kaldi's scoring does with ``--word-ins-penalty``.
    """
    if penalty:
        map_arcs(fst, lambda a: kaldifst.StdArc(a.ilabel, a.olabel, a.weight.value + penalty, a.nextstate)
                 if a.olabel else a)
