"""HMM topology: Kaldi's default shapes, text round trip, and errors for bad topologies."""

from __future__ import annotations

import pytest

from asr.lang.topology import HmmState, Topology, TopologyEntry, make_topology

NONSIL_3 = """<Topology>
<TopologyEntry>
<ForPhones>
3 4
</ForPhones>
<State> 0 <PdfClass> 0 <Transition> 0 0.75 <Transition> 1 0.25 </State>
<State> 1 <PdfClass> 1 <Transition> 1 0.75 <Transition> 2 0.25 </State>
<State> 2 <PdfClass> 2 <Transition> 2 0.75 <Transition> 3 0.25 </State>
<State> 3 </State>
</TopologyEntry>
"""


def test_default_nonsilence_topology_is_kaldis_text():
    topo = make_topology([3, 4], [1, 2])
    assert topo.to_text().startswith(NONSIL_3)
    assert topo.phones == [1, 2, 3, 4]
    assert topo.num_pdf_classes(3) == 3 and topo.num_pdf_classes(1) == 5


def test_default_silence_topology():
    sil = make_topology([3], [1, 2], num_sil_states=5).entry(1)
    q = 0.25
    assert sil.states == (
        HmmState(0, ((0, q), (1, q), (2, q), (3, q))),
        HmmState(1, ((1, q), (2, q), (3, q), (4, q))),
        HmmState(2, ((1, q), (2, q), (3, q), (4, q))),
        HmmState(3, ((1, q), (2, q), (3, q), (4, q))),
        HmmState(4, ((4, 0.75), (5, 0.25))),
        HmmState(None),
    )


@pytest.mark.parametrize("nonsil, sil", [(1, 1), (2, 2), (3, 5), (5, 3), (4, 7)])
def test_round_trip_and_stochastic(nonsil, sil):
    topo = make_topology([5, 6, 7], [1, 2], num_nonsil_states=nonsil, num_sil_states=sil)
    back = Topology.from_text(topo.to_text())
    for b, t in zip(back.entries, topo.entries, strict=True):
        assert b.phones == t.phones and len(b.states) == len(t.states)
        for bs, ts in zip(b.states, t.states):
            assert bs.pdf_class == ts.pdf_class
            assert [d for d, _ in bs.transitions] == [d for d, _ in ts.transitions]
            assert [p for _, p in bs.transitions] == pytest.approx([p for _, p in ts.transitions],
                                                                   abs=1e-6)
    assert back.num_pdf_classes(5) == nonsil and back.num_pdf_classes(1) == sil
    for entry in back.entries:
        for state in entry.states[:-1]:
            assert sum(p for _, p in state.transitions) == pytest.approx(1.0)


def test_read_from_file(tmp_path):
    (tmp_path / "topo").write_text(make_topology([2], [1]).to_text())
    assert Topology.read(tmp_path / "topo").phones == [1, 2]


@pytest.mark.parametrize("text, message", [
    (NONSIL_3.replace("0.75 <Transition> 1 0.25", "0.7 <Transition> 1 0.25") + "</Topology>",
     "sum to 0.95"),
    (NONSIL_3 + "</Topology> extra", "expected <TopologyEntry> or a final </Topology>"),
    (NONSIL_3, "unexpected end of topology"),
    (NONSIL_3.replace("<State> 3 </State>", "<State> 3 <PdfClass> 3 </State>") + "</Topology>",
     "the last state must be final"),
    (NONSIL_3.replace("<Transition> 2 0.25 </State>", "<Transition> 9 0.25 </State>") + "</Topology>",
     "goes to state 9"),
    (NONSIL_3.replace("<State> 1 <PdfClass> 1", "<State> 1 <Foo> 1") + "</Topology>",
     "unexpected token '<Foo>'"),
    (NONSIL_3.replace("3 4\n", "3 x\n") + "</Topology>", "expected a phone id, got 'x'"),
    (NONSIL_3 + NONSIL_3.replace("<Topology>\n", "").replace("3 4", "4 5") + "</Topology>",
     "phone 4 is in more than one topology entry"),
    (NONSIL_3.replace("<PdfClass> 2", "<PdfClass> 5") + "</Topology>", "not 0..N-1"),
])
def test_bad_topologies(text, message):
    with pytest.raises(ValueError, match=message):
        Topology.from_text(text)


def test_entry_for_unknown_phone_and_bad_counts():
    with pytest.raises(ValueError, match="phone 9 is in no topology entry"):
        make_topology([2], [1]).entry(9)
    with pytest.raises(ValueError, match="state counts"):
        make_topology([2], [1], num_nonsil_states=0)


def test_entries_may_share_pdf_classes():
    # Kaldi allows two states with one pdf class (tied); classes must still be 0..N-1.
    entry = TopologyEntry((1,), (HmmState(0, ((1, 1.0),)), HmmState(0, ((1, 0.5), (2, 0.5))),
                                 HmmState(None)))
    assert Topology([entry]).num_pdf_classes(1) == 1
