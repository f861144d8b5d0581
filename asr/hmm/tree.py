"""Decision-tree state clustering from alignments (Kaldi ``acc-tree-stats`` and
``build-tree``).

Statistics are single-Gaussian sufficient statistics (count, sum, sum of squares) per
``(left, center, right, pdf_class)``. Each root of ``phones/roots.int`` starts one leaf per
pdf class; then, over all roots at once, the leaf whose best question gains the most
log-likelihood is split, until no split gains ``thresh`` or there are ``max_leaves``
leaves. A question asks whether the left or right phone (or, for roots of several phones,
the center phone) is in a phone set (:mod:`asr.hmm.tree_questions`). Kaldi additionally
merges leaves afterwards (``--cluster-thresh``); this does not.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

from asr.hmm.context import ContextDependency, phone_windows, split_to_phones
from asr.hmm.transition import TransitionModel
from asr.lang.topology import Topology

__all__ = ["TreeStats", "accumulate_tree_stats", "gaussian_log_like", "build_tree"]

_LOG_2PI = math.log(2.0 * math.pi)


@dataclass
class TreeStats:
    """Statistics per context.

    Attributes:
        keys (np.ndarray): ``(K, 4)`` int rows ``left, center, right, pdf_class``.
        occ (np.ndarray): ``(K,)`` frame counts; x, x2 (np.ndarray): ``(K, D)`` sums.
    """

    keys: np.ndarray
    occ: np.ndarray
    x: np.ndarray
    x2: np.ndarray


def accumulate_tree_stats(trans: TransitionModel, alis: dict[str, np.ndarray],
                          feats: dict[str, np.ndarray]) -> TreeStats:
    """Statistics of every frame of transition-id alignments, keyed by the triphone
    window of its phone and its pdf class.

    Args:
        trans (TransitionModel): the model the alignments belong to.
        alis (dict[str, np.ndarray]): utterance to ``(T,)`` transition ids.
        feats (dict[str, np.ndarray]): utterance to ``(T, D)`` features.

    Raises:
        ValueError: no alignments, or an alignment whose length differs from its features.
    """
    if not alis:
        raise ValueError("no alignments to accumulate tree statistics from")
    pdf_class = np.array([-1] + [trans.topo.entry(int(p)).states[int(s)].pdf_class
                                 for p, s in zip(trans.tid_phone[1:], trans.tid_state[1:])])
    keys, frames = [], []
    for utt in sorted(alis):
        tids = np.asarray(alis[utt])
        if len(tids) != len(feats[utt]):
            raise ValueError(f"utterance {utt}: {len(tids)} alignment frames, "
                             f"{len(feats[utt])} feature frames")
        segs = split_to_phones(trans, tids)
        windows = phone_windows([p for p, _, _ in segs])
        ctx = np.zeros((len(tids), 3), dtype=np.int64)
        for w, (_, start, end) in zip(windows, segs):
            ctx[start:end] = w
        keys.append(np.concatenate([ctx, pdf_class[tids][:, None]], 1))
        frames.append(feats[utt])
    uniq, inv = np.unique(np.concatenate(keys), axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    x = np.concatenate(frames).astype(np.float64)
    sums = np.zeros((len(uniq), x.shape[1]))
    sq = np.zeros_like(sums)
    np.add.at(sums, inv, x)
    np.add.at(sq, inv, x * x)
    return TreeStats(uniq, np.bincount(inv, minlength=len(uniq)).astype(np.float64), sums, sq)


def gaussian_log_like(occ: np.ndarray, x: np.ndarray, x2: np.ndarray,
                      var_floor: float = 0.01) -> np.ndarray:
    """Log-likelihood of data under its own ML diagonal Gaussian (Kaldi
    ``GaussClusterable::Objf``): ``-0.5 n (D (1 + log 2 pi) + sum log var)``.

    Args:
        occ (np.ndarray): ``(...)`` counts; x, x2 (np.ndarray): ``(..., D)`` sums.
        var_floor (float): variance floor. (Default: ``0.01``)

    Returns:
        np.ndarray: ``(...)``; 0 where ``occ`` is 0.
    """
    n = np.maximum(occ, 1e-10)[..., None]
    var = np.maximum(x2 / n - (x / n) ** 2, var_floor)
    ll = -0.5 * occ * (x.shape[-1] * (1.0 + _LOG_2PI) + np.log(var).sum(-1))
    return np.where(occ > 0, ll, 0.0)


class _Leaf:
    def __init__(self, idx: np.ndarray, positions: list[int]) -> None:
        self.idx = idx
        self.positions = positions  # window positions its questions may ask about
        self.split: tuple[float, int, int] | None = None  # gain, position, question
        self.children: tuple["_Leaf", "_Leaf"] | None = None
        self.pdf = -1


def _best_split(leaf: _Leaf, stats: TreeStats, members: np.ndarray, min_count: float,
                var_floor: float) -> None:
    idx = leaf.idx
    occ, x, x2 = stats.occ[idx], stats.x[idx], stats.x2[idx]
    total = gaussian_log_like(occ.sum(), x.sum(0), x2.sum(0), var_floor)
    best = (-np.inf, -1, -1)
    for pos in leaf.positions:
        yes = members[:, stats.keys[idx, pos]].astype(np.float64)  # (Q, n)
        oy, xy, x2y = yes @ occ, yes @ x, yes @ x2
        on, xn, x2n = occ.sum() - oy, x.sum(0) - xy, x2.sum(0) - x2y
        gain = (gaussian_log_like(oy, xy, x2y, var_floor)
                + gaussian_log_like(on, xn, x2n, var_floor) - total)
        gain[(oy < min_count) | (on < min_count)] = -np.inf
        q = int(np.argmax(gain))
        if gain[q] > best[0]:
            best = (float(gain[q]), pos, q)
    leaf.split = best


def _to_tree(leaf: _Leaf, questions: list[list[int]]):
    if leaf.children is None:
        return leaf.pdf
    _, pos, q = leaf.split
    return [pos, questions[q], _to_tree(leaf.children[0], questions),
            _to_tree(leaf.children[1], questions)]


def _number(leaf: _Leaf, next_pdf: int) -> int:
    if leaf.children is None:
        leaf.pdf = next_pdf
        return next_pdf + 1
    for child in leaf.children:
        next_pdf = _number(child, next_pdf)
    return next_pdf


def build_tree(stats: TreeStats, topo: Topology, roots: list[tuple[str, str, list[int]]],
               questions: list[list[int]], max_leaves: int, thresh: float = 300.0,
               min_count: float = 10.0, var_floor: float = 0.01) -> ContextDependency:
    """Greedy likelihood-based tree building.

    Args:
        stats (TreeStats): from :func:`accumulate_tree_stats`.
        topo (Topology): gives each root's number of pdf classes.
        roots (list): ``(shared, split, phones)`` per root, as :attr:`Lang.roots`; a
            ``not-split`` root keeps one leaf per pdf class (one in all when ``shared``).
        questions (list[list[int]]): phone sets to ask about (phone ``0`` is the
            utterance edge).
        max_leaves (int): stop at this many leaves in all.
        thresh (float): smallest log-likelihood gain worth a split. (Default: ``300.0``)
        min_count (float): fewest frames on either side of a split. (Default: ``10.0``)
        var_floor (float): variance floor of the Gaussians. (Default: ``0.01``)

    Returns:
        ContextDependency: leaves numbered root by root, pdf class by pdf class.

    Raises:
        ValueError: bad arguments, a root whose phones differ in their number of pdf
            classes, or fewer ``max_leaves`` than the roots need unsplit.
    """
    if not questions:
        raise ValueError("build_tree: no questions")
    num_phones = 1 + max(max(topo.phones), int(stats.keys[:, :3].max(initial=0)),
                         max(p for q in questions for p in q))
    members = np.zeros((len(questions), num_phones), dtype=bool)
    for i, q in enumerate(questions):
        members[i, q] = True
    root_leaves: list[list[_Leaf]] = []
    open_leaves: list[_Leaf] = []
    for shared, split, phones in roots:
        classes = {topo.num_pdf_classes(p) for p in phones}
        if len(classes) != 1:
            raise ValueError(f"root {phones}: phones with different numbers of pdf classes")
        num_classes = classes.pop()
        in_root = np.isin(stats.keys[:, 1], phones)
        if split == "not-split" and shared == "shared":
            leaf = _Leaf(np.nonzero(in_root)[0], [])
            root_leaves.append([leaf] * num_classes)
            continue
        positions = [0, 2] + ([1] if len(phones) > 1 else [])
        leaves = [_Leaf(np.nonzero(in_root & (stats.keys[:, 3] == k))[0], positions)
                  for k in range(num_classes)]
        root_leaves.append(leaves)
        if split == "split":
            open_leaves += leaves
    num_leaves = sum(len({id(x) for x in r}) for r in root_leaves)
    if max_leaves < num_leaves:
        raise ValueError(f"max_leaves {max_leaves} is below the {num_leaves} leaves of the "
                         "unsplit roots")
    heap, count = [], 0
    for leaf in open_leaves:
        _best_split(leaf, stats, members, min_count, var_floor)
        heapq.heappush(heap, (-leaf.split[0], count, leaf))
        count += 1
    while heap and num_leaves < max_leaves:
        neg_gain, _, leaf = heapq.heappop(heap)
        if -neg_gain < thresh:
            break
        _, pos, q = leaf.split
        yes = members[q, stats.keys[leaf.idx, pos]]
        leaf.children = (_Leaf(leaf.idx[yes], leaf.positions),
                         _Leaf(leaf.idx[~yes], leaf.positions))
        num_leaves += 1
        for child in leaf.children:
            _best_split(child, stats, members, min_count, var_floor)
            heapq.heappush(heap, (-child.split[0], count, child))
            count += 1
    next_pdf, trees = 0, []
    for leaves in root_leaves:
        done: dict[int, object] = {}
        for leaf in leaves:
            if id(leaf) not in done:
                next_pdf = _number(leaf, next_pdf)
                done[id(leaf)] = _to_tree(leaf, questions)
        trees.append([done[id(leaf)] for leaf in leaves])
    return ContextDependency([list(p) for _, _, p in roots], trees, next_pdf)
