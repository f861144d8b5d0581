"""The lexicon transducer L (phones in, words out) with optional silence between words."""

from __future__ import annotations

import math

import kaldifst

from asr.lang.lexicon import LexiconEntry
from asr.lang.symbols import SymbolTable

__all__ = ["make_lexicon_fst"]


def make_lexicon_fst(entries: list[LexiconEntry], phones: SymbolTable, words: SymbolTable,
                     sil_prob: float = 0.5, sil_phone: str | None = None,
                     sil_disambig: str | None = None) -> kaldifst.StdVectorFst:
    """Build L as Kaldi's ``make_lexicon_fst`` does (its states and arcs, costs -log prob).

    Every word leaves from and returns to a loop state, which is the only final state.
    Each pronunciation is a chain of arcs; the word label sits on its first arc with cost
    ``-log(prob)``. With ``sil_prob > 0`` the last arc of each word splits in two: back to
    the loop state (cost ``-log(1 - sil_prob)``) or to a silence state (``-log(sil_prob)``)
    whose one arc, ``sil_phone:<eps>``, returns to the loop state. The start state likewise
    branches (by epsilon arcs) to the loop or the silence state, so silence may also open
    the utterance. With ``sil_prob == 0`` the loop state is the start state.

    Args:
        entries (list[LexiconEntry]): pronunciations; phones may include disambiguation
            symbols, which are ordinary input labels here.
        phones (SymbolTable): ``phones.txt``; words (SymbolTable): ``words.txt``.
        sil_prob (float): probability of silence after each word and at the start, in
            [0, 1). (Default: ``0.5``)
        sil_phone (str or None): the optional-silence phone; required when ``sil_prob > 0``.
        sil_disambig (str or None): when given (e.g. ``#3``), the silence arc is followed
            by an arc with this input label, as in ``L_disambig.fst``, so that a word
            followed by silence and one that is not stay distinguishable. (Default: ``None``)

    Returns:
        kaldifst.StdVectorFst: L, arcs sorted by output label (ready to compose with G).

    Raises:
        ValueError: a bad ``sil_prob``, a missing ``sil_phone``, or a symbol absent from
            the tables.
    """
    if not 0.0 <= sil_prob < 1.0:
        raise ValueError(f"sil_prob must be in [0, 1), got {sil_prob}")
    if sil_prob > 0.0 and sil_phone is None:
        raise ValueError("sil_prob > 0 needs sil_phone")

    def ids(table: SymbolTable, syms: list[str], what: str) -> list[int]:
        try:
            return table.ids(syms)
        except KeyError as e:
            raise ValueError(f"lexicon FST: {what} {e.args[0]}") from None

    fst = kaldifst.StdVectorFst()
    start = fst.add_state()
    fst.start = start
    if sil_prob == 0.0:
        loop = start
        sil_state = None
        sil_cost = no_sil_cost = 0.0
    else:
        sil_cost, no_sil_cost = -math.log(sil_prob), -math.log(1.0 - sil_prob)
        loop, sil_state = fst.add_state(), fst.add_state()
        fst.add_arc(start, kaldifst.StdArc(0, 0, no_sil_cost, loop))
        fst.add_arc(start, kaldifst.StdArc(0, 0, sil_cost, sil_state))
        (sil_id,) = ids(phones, [sil_phone], "silence phone")
        if sil_disambig is None:
            fst.add_arc(sil_state, kaldifst.StdArc(sil_id, 0, 0.0, loop))
        else:
            (disambig_id,) = ids(phones, [sil_disambig], "disambiguation symbol")
            mid = fst.add_state()
            fst.add_arc(sil_state, kaldifst.StdArc(sil_id, 0, 0.0, mid))
            fst.add_arc(mid, kaldifst.StdArc(disambig_id, 0, 0.0, loop))
    fst.set_final(loop, 0.0)

    for e in entries:
        phone_ids = ids(phones, list(e.phones), f"phone of word {e.word!r}:")
        (word_id,) = ids(words, [e.word], "word")
        olabel, cost = word_id, -math.log(e.prob)
        cur = loop
        for p in phone_ids[:-1]:
            nxt = fst.add_state()
            fst.add_arc(cur, kaldifst.StdArc(p, olabel, cost, nxt))
            cur, olabel, cost = nxt, 0, 0.0
        fst.add_arc(cur, kaldifst.StdArc(phone_ids[-1], olabel, cost + no_sil_cost, loop))
        if sil_state is not None:
            fst.add_arc(cur, kaldifst.StdArc(phone_ids[-1], olabel, cost + sil_cost, sil_state))
    kaldifst.arcsort(fst, sort_type="olabel")
    return fst
