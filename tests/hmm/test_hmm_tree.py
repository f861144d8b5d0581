"""Decision-tree building on synthetic statistics whose best split is known by hand,
tree statistics and alignment conversion on a hand-made alignment, and the tree's lookup
and storage."""

import math

import numpy as np
import pytest

from asr.hmm.context import ContextDependency, TreeTransitionModel, phone_windows, split_to_phones
from asr.hmm.transition import TransitionModel
from asr.hmm.tree import TreeStats, accumulate_tree_stats, build_tree, gaussian_log_like
from asr.hmm.tree_questions import cluster_sets
from asr.hmm.train_tri import convert_alignments
from asr.lang.topology import make_topology

# phones 1..4 non-silence (1 state), 5 silence (1 state)
TOPO = make_topology([1, 2, 3, 4], [5], num_nonsil_states=1, num_sil_states=1)
ROOTS = [("shared", "split", [p]) for p in (1, 2, 3, 4, 5)]
QUESTIONS = [[1], [2], [3], [4], [5], [0], [1, 2], [3, 4]]


def stats_for(samples: dict[tuple[int, int, int], np.ndarray]) -> TreeStats:
    """Tree statistics of 1-dimensional samples per window (pdf class 0)."""
    keys = np.array([[*w, 0] for w in samples])
    occ = np.array([len(v) for v in samples.values()], dtype=float)
    x = np.array([[v.sum()] for v in samples.values()])
    x2 = np.array([[(v ** 2).sum()] for v in samples.values()])
    return TreeStats(keys, occ, x, x2)


def test_gaussian_log_like_by_hand():
    v = np.array([1.0, 3.0, 1.0, 3.0])  # mean 2, variance 1
    got = gaussian_log_like(np.array(4.0), np.array([v.sum()]), np.array([(v ** 2).sum()]))
    assert got == pytest.approx(-0.5 * 4 * (1 + math.log(2 * math.pi) + math.log(1.0)))


def test_contexts_with_different_means_split_on_the_left_phone():
    rng = np.random.default_rng(0)
    stats = stats_for({(1, 3, 0): rng.normal(0.0, 1.0, 200), (2, 3, 0): rng.normal(5.0, 1.0, 200)})
    ctx = build_tree(stats, TOPO, ROOTS, QUESTIONS, max_leaves=100, thresh=10.0)
    assert ctx.num_pdfs == 5 + 1  # one leaf per root, and phone 3's split in two
    assert ctx.pdf((1, 3, 0), 0) != ctx.pdf((2, 3, 0), 0)
    tree = ctx.trees[2][0]
    assert tree[0] == 0 and sorted(tree[1]) in ([1], [2])  # asks about the left phone


def test_identical_contexts_do_not_split():
    rng = np.random.default_rng(0)
    same = rng.normal(0.0, 1.0, 400)
    stats = stats_for({(1, 3, 0): same[:200], (2, 3, 0): same[200:]})
    ctx = build_tree(stats, TOPO, ROOTS, QUESTIONS, max_leaves=100, thresh=10.0)
    assert ctx.num_pdfs == 5
    assert ctx.pdf((1, 3, 0), 0) == ctx.pdf((2, 3, 0), 0) == ctx.pdf((4, 3, 4), 0)


def test_best_question_of_three_contexts_and_max_leaves():
    """Left phones 1 and 2 sound alike, 3 differs: the first split must be {1, 2} vs 3;
    with max_leaves one above the roots, it is the only split."""
    rng = np.random.default_rng(1)
    stats = stats_for({(1, 4, 0): rng.normal(0.0, 1.0, 300), (2, 4, 0): rng.normal(0.3, 1.0, 300),
                       (3, 4, 0): rng.normal(6.0, 1.0, 300)})
    ctx = build_tree(stats, TOPO, ROOTS, QUESTIONS, max_leaves=6, thresh=10.0)
    assert ctx.num_pdfs == 6
    assert ctx.pdf((1, 4, 0), 0) == ctx.pdf((2, 4, 0), 0) != ctx.pdf((3, 4, 0), 0)
    with pytest.raises(ValueError, match="max_leaves"):
        build_tree(stats, TOPO, ROOTS, QUESTIONS, max_leaves=4)


def test_gain_threshold_stops_splitting():
    rng = np.random.default_rng(2)
    stats = stats_for({(1, 3, 0): rng.normal(0.0, 1.0, 50), (2, 3, 0): rng.normal(0.5, 1.0, 50)})
    # gain of the split by hand: the pooled likelihood minus the two separate ones
    whole = gaussian_log_like(stats.occ.sum(), stats.x.sum(0), stats.x2.sum(0))
    parts = gaussian_log_like(stats.occ, stats.x, stats.x2).sum()
    gain = parts - whole
    assert 0 < gain
    assert build_tree(stats, TOPO, ROOTS, QUESTIONS, 100, thresh=gain * 1.01).num_pdfs == 5
    assert build_tree(stats, TOPO, ROOTS, QUESTIONS, 100, thresh=gain * 0.99).num_pdfs == 6


def test_tree_lookup_reachability_and_json():
    # root of phones 1 and 2; pdf class 0 asks about the center, then the right phone
    ctx = ContextDependency([[1, 2], [3], [4], [5]],
                            [[[1, [1], [2, [5], 0, 1], 2]], [3], [4], [5]], num_pdfs=6)
    assert ctx.pdf((0, 1, 5), 0) == 0 and ctx.pdf((0, 1, 3), 0) == 1 and ctx.pdf((5, 2, 5), 0) == 2
    assert ctx.reachable_pdfs(1, 0) == [0, 1] and ctx.reachable_pdfs(2, 0) == [2]
    again = ContextDependency.from_json(ctx.to_json())
    assert again.pdf((0, 1, 3), 0) == 1 and again.num_pdfs == 6
    with pytest.raises(ValueError, match="malformed"):
        ContextDependency.from_json('{"roots": []}')


def mono_trans() -> TransitionModel:
    return TransitionModel(TOPO, {p: [p - 1] for p in (1, 2, 3, 4, 5)})


def tid(trans, phone, loop):
    return next(t for t in range(1, trans.num_tids + 1)
                if trans.tid_phone[t] == phone and bool(trans.tid_self_loop[t]) == loop)


def test_tree_stats_and_alignment_conversion():
    old = mono_trans()
    # phones 5 1 3: frames 2, 3, 2 (loops then the exit arc)
    seq = [(5, 2), (1, 3), (3, 2)]
    tids = np.array([t for p, n in seq for t in [tid(old, p, True)] * (n - 1) + [tid(old, p, False)]])
    assert split_to_phones(old, tids) == [(5, 0, 2), (1, 2, 5), (3, 5, 7)]
    feats = np.arange(7, dtype=float)[:, None]
    stats = accumulate_tree_stats(old, {"u": tids}, {"u": feats})
    got = {tuple(k): (o, s) for k, o, s in zip(stats.keys.tolist(), stats.occ, stats.x[:, 0])}
    assert got == {(0, 5, 1, 0): (2, 0 + 1), (5, 1, 3, 0): (3, 2 + 3 + 4), (1, 3, 0, 0): (2, 5 + 6)}
    # a tree that gives phone 3 after phone 1 its own pdf
    trees = [[0], [1], [[0, [1], 5, 2]], [3], [4]]
    ctx = ContextDependency([[1], [2], [3], [4], [5]], trees, num_pdfs=6)
    new = TreeTransitionModel(TOPO, ctx)
    conv = convert_alignments(old, new, {"u": tids})["u"]
    assert new.tid_phone[conv].tolist() == old.tid_phone[tids].tolist()
    assert new.tid_self_loop[conv].tolist() == old.tid_self_loop[tids].tolist()
    assert new.tid_pdf[conv].tolist() == [4, 4, 0, 0, 0, 5, 5]
    assert phone_windows([5, 1, 3]) == [(0, 5, 1), (5, 1, 3), (1, 3, 0)]


def test_cluster_sets_separates_distant_groups():
    means = np.array([0.0, 0.2, 10.0, 10.3])
    occ = np.full(4, 100.0)
    x = (occ * means)[:, None]
    x2 = (occ * (means ** 2 + 1.0))[:, None]
    clusters = cluster_sets(occ, x, x2)
    assert sorted(map(sorted, clusters))[:3] == [[0], [0, 1], [0, 1, 2, 3]]
    assert [2, 3] in [sorted(c) for c in clusters]
