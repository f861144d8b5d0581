"""CTC token topology T, unit lexicon L and TLG, checked on hand-worked alignments."""

import kaldifst
import pytest

from asr.graph.ctc_topo import add_lexicon_disambig, make_ctc_topo, make_tlg, make_unit_lexicon_fst
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
