"""Phone questions for tree building (Kaldi ``cluster-phones`` + ``compile-questions``).

Questions are: each phone set of ``phones/sets.int``; the unions of sets found by
top-down binary clustering of the sets by their acoustics (the center phone's middle
pdf class, a single Gaussian per cluster, split by 2-means); each line of
``phones/extra_questions.int``; and the utterance edge (phone ``0``) alone and together
with the silence phones.
"""

from __future__ import annotations

import numpy as np

from asr.hmm.tree import TreeStats, gaussian_log_like
from asr.lang.lang import Lang

__all__ = ["cluster_sets", "make_questions"]


def cluster_sets(occ: np.ndarray, x: np.ndarray, x2: np.ndarray, iters: int = 5
                 ) -> list[list[int]]:
    """Top-down binary clustering of items by their Gaussian statistics.

    Args:
        occ (np.ndarray): ``(N,)``; x, x2 (np.ndarray): ``(N, D)`` per-item statistics.
        iters (int): 2-means iterations per split. (Default: ``5``)

    Returns:
        list[list[int]]: every cluster of the binary tree (item indices), root included.
    """
    out: list[list[int]] = []
    stack = [list(range(len(occ)))]
    while stack:
        items = stack.pop()
        out.append(items)
        if len(items) < 2:
            continue
        means = x[items] / np.maximum(occ[items], 1e-10)[:, None]
        # seeds: the item farthest from the cluster mean, and the one farthest from it
        a = int(np.argmax(((means - means.mean(0)) ** 2).sum(1)))
        b = int(np.argmax(((means - means[a]) ** 2).sum(1)))
        side = ((means - means[a]) ** 2).sum(1) > ((means - means[b]) ** 2).sum(1)
        for _ in range(iters):
            if side.all() or not side.any():
                break
            stats = [(occ[items][m].sum(), x[items][m].sum(0), x2[items][m].sum(0))
                     for m in (~side, side)]
            # move each item to the cluster whose likelihood increases most by having it
            gain = np.stack([gaussian_log_like(o + occ[items], s + x[items], s2 + x2[items])
                             - gaussian_log_like(occ[items], x[items], x2[items])
                             for o, s, s2 in stats], 1)
            new = gain[:, 1] > gain[:, 0]
            if (new == side).all():
                break
            side = new
        if side.all() or not side.any():
            side = np.arange(len(items)) >= len(items) // 2
        stack += [[i for i, s in zip(items, side) if not s], [i for i, s in zip(items, side) if s]]
    return out


def make_questions(lang: Lang, stats: TreeStats) -> list[list[int]]:
    """The questions of a lang dir, deduplicated, without empty or all-phone ones.

    Args:
        lang (Lang): gives ``sets``, ``extra_questions`` and silence phones.
        stats (TreeStats): tree statistics (only the center-phone statistics are used).
    """
    sets = [list(s) for s in lang.sets]
    dim = stats.x.shape[1]
    occ, x, x2 = np.zeros(len(sets)), np.zeros((len(sets), dim)), np.zeros((len(sets), dim))
    for i, s in enumerate(sets):
        middle = lang.topo.num_pdf_classes(s[0]) // 2
        m = np.isin(stats.keys[:, 1], s) & (stats.keys[:, 3] == middle)
        occ[i], x[i], x2[i] = stats.occ[m].sum(), stats.x[m].sum(0), stats.x2[m].sum(0)
    seen = np.nonzero(occ > 0)[0]
    clusters = [[int(seen[i]) for i in c] for c in cluster_sets(occ[seen], x[seen], x2[seen])]
    questions = [sorted(p for i in c for p in sets[i]) for c in clusters]
    questions += sets + [list(q) for q in lang.extra_questions]
    questions += [[0], [0] + lang.silence_phones]
    everything = {0, *lang.real_phones}
    out, known = [], set()
    for q in questions:
        key = frozenset(q)
        if key and key != everything and key not in known:
            known.add(key)
            out.append(sorted(key))
    return out
