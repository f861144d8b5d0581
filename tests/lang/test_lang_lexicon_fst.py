"""The lexicon FST L, checked by hand on a two-word lexicon: states, arcs, paths, costs."""

from __future__ import annotations

import math

import kaldifst
import pytest

from asr.lang.lexicon import LexiconEntry
from asr.lang.lexicon_fst import make_lexicon_fst
from asr.lang.symbols import SymbolTable

PHONES = SymbolTable.from_symbols(["<eps>", "SIL", "a", "b", "c", "#0", "#1", "#2"])
WORDS = SymbolTable.from_symbols(["<eps>", "AB", "C", "#0"])
SIL, A, B, C, D0 = 1, 2, 3, 4, 5
LEX = [LexiconEntry("AB", 1.0, ("a", "b")), LexiconEntry("C", 1.0, ("c",))]


def arcs(fst):
    return sorted((s, a.ilabel, a.olabel, round(a.weight.value, 6), a.nextstate)
                  for s in kaldifst.StateIterator(fst) for a in kaldifst.ArcIterator(fst, s))


def words_to_phones(L, words, all_paths):
    """Every phone string L maps the word sequence to, with its cost: words o inverse(L)."""
    acceptor = kaldifst.make_linear_acceptor(WORDS.ids(words))
    inv = L.copy()
    kaldifst.invert(inv)
    kaldifst.arcsort(inv, sort_type="ilabel")
    return {tuple(PHONES.symbols(o)): cost
            for (_, o), cost in all_paths(kaldifst.compose(acceptor, inv)).items()}


def test_two_word_lexicon_without_silence():
    L = make_lexicon_fst(LEX, PHONES, WORDS, sil_prob=0.0)
    # One loop state (start and final) and one state inside AB: a:AB then b:<eps>; c:C.
    assert L.num_states == 2 and L.start == 0 and L.final(0).value == 0.0
    assert arcs(L) == [(0, A, 1, 0.0, 1), (0, C, 2, 0.0, 0), (1, B, 0, 0.0, 0)]


def test_two_word_lexicon_with_optional_silence():
    L = make_lexicon_fst(LEX, PHONES, WORDS, sil_prob=0.2, sil_phone="SIL")
    yes, no = round(-math.log(0.2), 6), round(-math.log(0.8), 6)
    # States: 0 start, 1 loop (final), 2 silence, 3 inside AB.
    assert L.num_states == 4 and L.start == 0
    assert [L.final(s).value for s in range(4)] == [math.inf, 0.0, math.inf, math.inf]
    assert arcs(L) == [
        (0, 0, 0, no, 1), (0, 0, 0, yes, 2),      # start: silence or not
        (1, A, 1, 0.0, 3),                        # AB begins
        (1, C, 2, no, 1), (1, C, 2, yes, 2),      # C, then silence or not
        (2, SIL, 0, 0.0, 1),                      # the silence itself
        (3, B, 0, no, 1), (3, B, 0, yes, 2),      # AB ends, then silence or not
    ]
    assert L.is_olabel_sorted


def test_word_sequence_through_inverse_L(all_paths):
    L = make_lexicon_fst(LEX, PHONES, WORDS, sil_prob=0.2, sil_phone="SIL")
    yes, no = -math.log(0.2), -math.log(0.8)
    got = words_to_phones(L, ["AB", "C"], all_paths)
    # Three independent choices: silence before AB, between the words, after C.
    expected = {}
    for s0 in (0, 1):
        for s1 in (0, 1):
            for s2 in (0, 1):
                phones = ("SIL",) * s0 + ("a", "b") + ("SIL",) * s1 + ("c",) + ("SIL",) * s2
                expected[phones] = sum(yes if s else no for s in (s0, s1, s2))
    assert got.keys() == expected.keys()
    for phones, cost in expected.items():
        assert got[phones] == pytest.approx(cost, abs=1e-5), phones
    best = min(got, key=got.get)
    assert best == ("a", "b", "c") and got[best] == pytest.approx(3 * no, abs=1e-5)


def test_shortest_path_and_half_silence_costs():
    L = make_lexicon_fst(LEX, PHONES, WORDS, sil_prob=0.5, sil_phone="SIL")
    inv = L.copy()
    kaldifst.invert(inv)
    kaldifst.arcsort(inv, sort_type="ilabel")
    composed = kaldifst.compose(kaldifst.make_linear_acceptor(WORDS.ids(["C", "AB"])), inv)
    ok, ilabels, olabels, weight = kaldifst.get_linear_symbol_sequence(
        kaldifst.shortest_path(composed))
    assert ok and ilabels == WORDS.ids(["C", "AB"])
    # With sil_prob 0.5 every choice costs -log(0.5); with or without silence a path
    # makes three choices, so the best path costs 3 log 2 (ties broken by the library).
    assert weight.value == pytest.approx(3 * math.log(2), abs=1e-5)
    assert [p for p in PHONES.symbols(olabels) if p != "SIL"] == ["c", "a", "b"]


def test_pronunciation_probabilities_cost():
    lex = [LexiconEntry("AB", 0.25, ("a", "b")), LexiconEntry("C", 1.0, ("c",))]
    L = make_lexicon_fst(lex, PHONES, WORDS, sil_prob=0.0)
    assert (0, A, 1, round(-math.log(0.25), 6), 1) in arcs(L)


def test_l_disambig_has_silence_disambig_and_word_loop(all_paths):
    lex = [LexiconEntry("AB", 1.0, ("a", "b")), LexiconEntry("C", 1.0, ("a", "#1"))]
    # C = "a #1" is the prefix word disambiguated; #2 follows optional silence.
    L = make_lexicon_fst(lex, PHONES, WORDS, sil_prob=0.5, sil_phone="SIL", sil_disambig="#2")
    kaldifst.add_self_loops(L, isyms=[D0], osyms=[WORDS.id("#0")])
    # start, loop, silence, after-SIL (then #2), inside AB, inside C.
    assert L.num_states == 6
    loops = [(s, a.ilabel, a.olabel) for s, a in
             ((s, a) for s in kaldifst.StateIterator(L) for a in kaldifst.ArcIterator(L, s))
             if a.nextstate == s]
    assert loops == [(1, D0, WORDS.id("#0"))]  # only the loop state has words leaving it
    phones = words_to_phones(L, ["C", "AB"], all_paths)
    assert ("a", "#1", "SIL", "#2", "a", "b") in phones
    assert ("a", "#1", "a", "b") in phones


def test_unknown_phone_or_bad_sil_prob():
    with pytest.raises(ValueError, match="phone of word 'X'.*'zz'"):
        make_lexicon_fst([LexiconEntry("X", 1.0, ("zz",))], PHONES, SymbolTable.from_symbols(
            ["<eps>", "X"]), sil_prob=0.0)
    with pytest.raises(ValueError, match="sil_prob"):
        make_lexicon_fst(LEX, PHONES, WORDS, sil_prob=1.0, sil_phone="SIL")
    with pytest.raises(ValueError, match="sil_phone"):
        make_lexicon_fst(LEX, PHONES, WORDS, sil_prob=0.5)
