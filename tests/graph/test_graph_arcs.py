"""The word insertion penalty on a hand-made graph: only word arcs pay it."""

import kaldifst
import pytest

from asr.graph.arcs import add_word_insertion_penalty


def _graph():
    # 0 -a:WORD1/1.0-> 1 -b:<eps>/0.5-> 2 -c:WORD2/0.25-> 3 (final 0.125)
    fst = kaldifst.StdVectorFst()
    for _ in range(4):
        fst.add_state()
    fst.start = 0
    for src, ilabel, olabel, w in [(0, 1, 7, 1.0), (1, 2, 0, 0.5), (2, 3, 8, 0.25)]:
        fst.add_arc(src, kaldifst.StdArc(ilabel, olabel, w, src + 1))
    fst.set_final(3, 0.125)
    return fst


def _arcs(fst):
    return [(a.ilabel, a.olabel, a.weight.value, a.nextstate)
            for s in kaldifst.StateIterator(fst) for a in kaldifst.ArcIterator(fst, s)]


def test_penalty_goes_on_word_arcs_only():
    fst = _graph()
    add_word_insertion_penalty(fst, 2.0)
    assert _arcs(fst) == [(1, 7, 3.0, 1), (2, 0, 0.5, 2), (3, 8, 2.25, 3)]
    assert fst.final(3).value == pytest.approx(0.125)


def test_zero_penalty_leaves_the_graph_alone():
    fst = _graph()
    add_word_insertion_penalty(fst, 0.0)
    assert _arcs(fst) == _arcs(_graph())
