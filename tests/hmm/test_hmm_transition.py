"""Transition model: ids from the topology, graph costs, re-estimation; deltas."""

import math

import numpy as np

from asr.hmm.feats import add_deltas
from asr.hmm.transition import TransitionModel
from asr.lang.topology import make_topology


def test_transition_ids_of_a_three_state_topology():
    topo = make_topology([1, 2], [3], num_nonsil_states=3, num_sil_states=1)
    tm = TransitionModel(topo, {1: [0, 1, 2], 2: [3, 4, 5], 3: [6]})
    # 3 states x 2 arcs for each of phones 1 and 2, 1 state x 2 arcs for phone 3
    assert tm.num_tids == 14 and tm.num_pdfs == 7
    assert tm.tid_phone[1:].tolist() == [1] * 6 + [2] * 6 + [3] * 2
    assert tm.tid_pdf[1:7].tolist() == [0, 0, 1, 1, 2, 2]
    assert tm.tid_self_loop[1:7].tolist() == [True, False] * 3
    assert [tm.is_final(t) for t in range(1, 7)] == [False] * 5 + [True]


def test_graph_costs_follow_kaldi_scaling():
    topo = make_topology([1], [2], num_nonsil_states=1, num_sil_states=1)
    tm = TransitionModel(topo, {1: [0], 2: [1]})
    costs = tm.graph_costs(transition_scale=1.0, self_loop_scale=0.1)
    # self-loop 0.75: -0.1 log 0.75; exit 0.25: -(log(0.25/0.25) + 0.1 log 0.25)
    assert math.isclose(costs[1], -0.1 * math.log(0.75))
    assert math.isclose(costs[2], -0.1 * math.log(0.25))


def test_update_normalizes_counts_with_floor_and_min_count():
    topo = make_topology([1], [2], num_nonsil_states=1, num_sil_states=1)
    tm = TransitionModel(topo, {1: [0], 2: [1]})
    tm.update(np.array([0, 90, 10, 1, 2]))
    np.testing.assert_allclose(np.exp(tm.log_probs[1:3]), [0.9, 0.1])
    np.testing.assert_allclose(np.exp(tm.log_probs[3:5]), [0.75, 0.25])  # 3 < min_count
    tm.update(np.array([0, 1000, 0, 0, 0]))
    np.testing.assert_allclose(np.exp(tm.log_probs[1:3]), [1 / 1.01, 0.01 / 1.01])


def test_deltas_are_kaldi_regression_with_clamped_edges():
    x = np.arange(12, dtype=np.float64).reshape(6, 2) ** 2
    d = add_deltas(x, order=1)
    t = 3
    expected = sum(n * (x[min(t + n, 5)] - x[max(t - n, 0)]) for n in (1, 2)) / 10
    np.testing.assert_allclose(d[t, 2:], expected)
    expected0 = sum(n * (x[n] - x[0]) for n in (1, 2)) / 10
    np.testing.assert_allclose(d[0, 2:], expected0)
    assert add_deltas(x).shape == (6, 6)
