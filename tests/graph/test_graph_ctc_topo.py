"""CTC token topology T, unit lexicon L and TLG, checked on hand-worked alignments."""

import math

import kaldi_decoder
import kaldifst
import numpy as np
import pytest

from asr.graph.ctc_topo import add_label_prior, add_lexicon_disambig, make_ctc_topo, make_tlg, make_unit_lexicon_fst
from asr.lang.grammar import make_word_loop_fst

BLK, A, B = 0, 1, 2


def outputs(fst: kaldifst.StdVectorFst, frames: list[int]) -> set[tuple[int, ...]]:
    """Every output sequence ``fst`` gives for the frame-level unit sequence ``frames``
    (input labels are unit + 1; epsilon outputs dropped)."""
    acceptor = kaldifst.make_linear_acceptor([u + 1 for u in frames])
    kaldifst.arcsort(fst, sort_type="ilabel")
    composed = kaldifst.compose(acceptor, fst)
    results = set()

    def walk(state, out):
        if composed.final(state).value != float("inf"):
            results.add(tuple(out))
        for arc in kaldifst.ArcIterator(composed, state):
            walk(arc.nextstate, out + ([arc.olabel] if arc.olabel else []))

    if composed.num_states:
        walk(composed.start, [])
    return results


@pytest.mark.parametrize("frames, expected", [
    ([A, BLK, A], (A, A)),        # a blank separates two a's
    ([A, A], (A,)),               # repeats collapse
    ([A, A, BLK, BLK, A, B, B], (A, A, B)),
    ([BLK, BLK], ()),
    ([B, A, B], (B, A, B)),
    ([], ()),
])
def test_topology_collapses_alignments(frames, expected):
    assert outputs(make_ctc_topo([A, B]), frames) == {expected}


def test_topology_is_input_deterministic_and_passes_disambig_through():
    t = make_ctc_topo([A, B], disambig_ids=[5])
    for state in kaldifst.StateIterator(t):
        labels = [arc.ilabel for arc in kaldifst.ArcIterator(t, state)]
        assert len(labels) == len(set(labels)) == 4  # blank, a, b, #0
        assert any(arc.ilabel == 6 and arc.olabel == 5 and arc.nextstate == state
                   for arc in kaldifst.ArcIterator(t, state))


def test_topology_rejects_bad_ids():
    with pytest.raises(ValueError):
        make_ctc_topo([])
    with pytest.raises(ValueError):
        make_ctc_topo([BLK, A])
    with pytest.raises(ValueError):
        make_ctc_topo([A, A])


def test_lexicon_disambig_marks_prefixes_and_homophones():
    marked, max_k = add_lexicon_disambig([(1, [1]), (2, [1, 2]), (3, [3]), (4, [3]), (5, [2])])
    assert marked == [(1, [1, -1]), (2, [1, 2]), (3, [3, -1]), (4, [3, -2]), (5, [2])]
    assert max_k == 2


def test_tlg_maps_alignments_to_words():
    # units: <blk>=0 N=1 O=2 Y=3 E=4 S=5 ▁=6; words: NO=1 YES=2 (#0 absent: word loop)
    n, o, y, e, s, sp = 1, 2, 3, 4, 5, 6
    lexicon, disambig = make_unit_lexicon_fst([(1, [n, o]), (2, [y, e, s])], num_units=7, boundary_id=sp)
    tlg = make_tlg([n, o, y, e, s, sp], lexicon, disambig, make_word_loop_fst([1, 2]))
    assert outputs(tlg, [n, n, BLK, o, sp, y, e, e, s, s]) == {(1, 2)}
    assert outputs(tlg, [y, e, s, n, o]) == {(2, 1)}  # the boundary is optional
    assert outputs(tlg, [BLK, y, e, BLK, BLK, s, BLK]) == {(2,)}
    assert outputs(tlg, [n, o, o, n]) == set()  # "NON" is no word sequence
    assert outputs(tlg, [y, e, s, BLK, s]) == set()  # "YESS" neither


def word_unit_tlg() -> kaldifst.StdVectorFst:
    """Word units (<blk>=0, A=1, B=2 spell words 1 and 2) under a word loop: log 3 per word and at the end."""
    lexicon, disambig = make_unit_lexicon_fst([(1, [A]), (2, [B])], num_units=3)
    return make_tlg([A, B], lexicon, disambig, make_word_loop_fst([1, 2]))


def best_path(tlg: kaldifst.StdVectorFst, probs: list[list[float]]) -> tuple[list[int], float]:
    decoder = kaldi_decoder.FasterDecoder(tlg, kaldi_decoder.FasterDecoderOptions(beam=30.0))
    decoder.decode(kaldi_decoder.DecodableCtc(np.log(np.array(probs, dtype=np.float32))))
    ok, best = decoder.get_best_path(use_final_probs=True)
    ok, _, words, weight = kaldifst.get_linear_symbol_sequence(best)
    assert ok and decoder.reached_final()
    return list(words), weight.value1 + weight.value2  # graph + acoustic cost


def test_label_prior_keeps_the_words_greedy_reads():
    """Frames A <blk> A, P(A) = 0.6 and P(<blk>) = 0.3 on the A frames: greedy reads "A A".
    Raw posteriors: "A A" costs 2 (-log .6) - log .98 + 3 log 3 = 4.34 (two words and the
    end), all blank 2 (-log .3) - log .98 + log 3 = 3.53, so the word loop deletes both.
    The prior P = (.8, .1, .1) at scale 0.5 takes 0.5 log 10 off each A frame and
    0.5 log 1.25 off the blank frame: 4.34 - 2.30 - 0.11 = 1.92 against 3.53 - 0.34 = 3.19."""
    probs = [[0.3, 0.6, 0.1], [0.98, 0.01, 0.01], [0.3, 0.6, 0.1]]
    tlg = word_unit_tlg()
    words, cost = best_path(tlg, probs)
    assert words == [] and cost == pytest.approx(-2 * math.log(0.3) - math.log(0.98) + math.log(3), abs=1e-4)
    add_label_prior(tlg, np.array([0.8, 0.1, 0.1]), 0.5)
    words, cost = best_path(tlg, probs)
    expected = -2 * math.log(0.6) - math.log(0.98) + 3 * math.log(3) + math.log(0.1) + 0.5 * math.log(0.8)
    assert words == [1, 1] and cost == pytest.approx(expected, abs=1e-4)


def test_label_prior_adds_scaled_log_prior_to_each_arc_reading_a_unit():
    tlg, before = word_unit_tlg(), word_unit_tlg()
    prior = np.array([0.5, 0.2, 0.3])
    add_label_prior(tlg, prior, 0.7)
    for state in kaldifst.StateIterator(tlg):
        for new, old in zip(kaldifst.ArcIterator(tlg, state), kaldifst.ArcIterator(before, state)):
            assert (new.ilabel, new.olabel, new.nextstate) == (old.ilabel, old.olabel, old.nextstate)
            assert new.weight.value == pytest.approx(old.weight.value + 0.7 * math.log(prior[old.ilabel - 1]))
    with pytest.raises(ValueError, match="unit 2 of the graph has no positive prior"):
        add_label_prior(word_unit_tlg(), np.array([0.5, 0.5, 0.0]), 0.5)
