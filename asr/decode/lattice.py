"""Kaldi word lattices (``CompactLattice``) from a decoder's state-level raw lattice.

``determinize_lattice`` does what Kaldi's ``lattice-faster-decoder`` does with
``--determinize-lattice=true``: word-level determinization keeping, for each word sequence,
only its best alignment (transition ids move into the weights' strings), then pruning to
the lattice beam. Lattices are written and read as Kaldi text archives (optionally
gzipped: ``lat.1.gz``) in the layout of Kaldi's ``ark,t:`` output, meant for
``ark:gunzip -c lat.1.gz|`` (not yet checked against a Kaldi build); acoustic costs are
stored unscaled, as Kaldi stores them.
"""

from __future__ import annotations

import gzip
import heapq
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, TextIO

import kaldifst

__all__ = ["CompactLattice", "determinize_lattice", "write_lattice", "read_lattices",
           "lattice_nbest", "add_word_insertion_penalty"]

Weight = tuple[float, float, tuple[int, ...]]   # (graph cost, acoustic cost, transition ids)
_DELTA = 1.0 / 1024  # weight quantization for identifying determinized states (Kaldi's kDelta)


@dataclass
class CompactLattice:
    """A Kaldi ``CompactLattice``: an acyclic word acceptor starting at state 0.

    Attributes:
        arcs (list): per state, ``(next_state, word, graph_cost, acoustic_cost, tids)`` tuples.
        final (list): per state, its final ``(graph_cost, acoustic_cost, tids)`` or ``None``.
    """

    arcs: list[list[tuple[int, int, float, float, tuple[int, ...]]]]
    final: list[Weight | None]

    @property
    def num_states(self) -> int:
        return len(self.arcs)

    @property
    def num_arcs(self) -> int:
        return sum(len(a) for a in self.arcs)


def _topo_order(num_states: int, successors: list[list[int]]) -> list[int]:
    indegree = [0] * num_states
    for succ in successors:
        for n in succ:
            indegree[n] += 1
    order = [s for s in range(num_states) if indegree[s] == 0]
    for s in order:
        for n in successors[s]:
            indegree[n] -= 1
            if indegree[n] == 0:
                order.append(n)
    if len(order) != num_states:
        raise ValueError("lattice has a cycle")
    return order


def _parse_raw(raw: kaldifst.Lattice):
    """Word-epsilon arcs ``(next, tid, cost, graph_cost)``, word arcs ``(next, tid, word,
    cost, graph_cost)`` and final ``(cost, graph_cost)`` per state (cost = graph +
    acoustic), and the states in topological order."""
    n = raw.num_states
    eps, words, succ = ([[] for _ in range(n)] for _ in range(3))
    final = [None] * n
    for line in raw.to_str(show_weight_one=True).splitlines():
        f = line.split()
        g, a = f[-1].split(",")
        g = float(g)
        cost = g + float(a)
        if len(f) == 2:
            final[int(f[0])] = (cost, g)
            continue
        s, nxt = int(f[0]), int(f[1])
        succ[s].append(nxt)
        if f[3] == "0":
            eps[s].append((nxt, int(f[2]), cost, g))
        else:
            words[s].append((nxt, int(f[2]), int(f[3]), cost, g))
    return eps, words, final, _topo_order(n, succ)


# Below, a weight is ``(cost, graph_cost, tids)``: tuple order is Kaldi's LatticeWeight order
# (total cost, then graph cost; smaller is better), ties broken by the tids.

def _closure(elems: dict, eps, rank, future, bound: float) -> dict:
    """Extend ``elems`` (raw state -> weight so far) along word-epsilon arcs, keeping the
    best weight per raw state and only states whose cost plus best cost to the end
    (``future``) is within ``bound``; states are settled in topological order."""
    heap = [(rank[s], s) for s in elems]
    heapq.heapify(heap)
    done = set()
    while heap:
        _, s = heapq.heappop(heap)
        if s in done:
            continue
        done.add(s)
        cost, g, tids = elems[s]
        for nxt, tid, c2, g2 in eps[s]:
            if cost + c2 + future[nxt] > bound:
                continue
            cand = (cost + c2, g + g2, tids + (tid,) if tid else tids)
            old = elems.get(nxt)
            if old is None or cand < old:
                elems[nxt] = cand
                heapq.heappush(heap, (rank[nxt], nxt))
    return elems


def _normalize(elems: dict):
    """Split a subset into its common divisor (best weight, common tid prefix), the residual
    subset and a hashable key for it."""
    c0, g0, _ = min(elems.values())
    lo, hi = min(e[2] for e in elems.values()), max(e[2] for e in elems.values())
    n = next((i for i, (x, y) in enumerate(zip(lo, hi)) if x != y), len(lo))
    residual = {s: (c - c0, g - g0, tids[n:]) for s, (c, g, tids) in elems.items()}
    key = tuple(sorted((s, round(c / _DELTA), round(g / _DELTA), t) for s, (c, g, t) in residual.items()))
    return (c0, g0, lo[:n]), residual, key


def _determinize(raw: kaldifst.Lattice, beam: float) -> CompactLattice:
    """Subset construction over word labels, best-first: a determinized state is expanded
    only if the best path through it is within ``beam`` of the best path (the pruned
    determinization of Kaldi's lattice decoders; without it a bushy lattice blows up)."""
    eps, word_arcs, raw_final, order = _parse_raw(raw)
    inf = float("inf")
    rank, future = [0] * len(order), [inf] * len(order)  # future: best cost to the end
    for r, s in enumerate(order):
        rank[s] = r
    for s in reversed(order):
        future[s] = min([raw_final[s][0] if raw_final[s] else inf]
                        + [x[2] + future[x[0]] for x in eps[s]] + [x[3] + future[x[0]] for x in word_arcs[s]])

    if future[raw.start] == inf:
        raise ValueError("lattice has no successful path")
    limit, expanded = future[raw.start] + beam + 1e-4, set()
    subsets = [_closure({raw.start: (0.0, 0.0, ())}, eps, rank, future, limit)]
    index: dict[tuple, int] = {}
    alpha, arcs, final = [0.0], [[]], [None]
    heap = [(future[raw.start], 0)]
    while heap and heap[0][0] <= limit:
        i = heapq.heappop(heap)[1]
        if i in expanded:
            continue
        expanded.add(i)
        best_final, by_word = None, defaultdict(dict)
        for s, (cost, g, tids) in subsets[i].items():
            if raw_final[s] is not None:
                cand = (cost + raw_final[s][0], g + raw_final[s][1], tids)
                if best_final is None or cand < best_final:
                    best_final = cand
            for nxt, tid, word, c2, g2 in word_arcs[s]:
                if alpha[i] + cost + c2 + future[nxt] > limit:
                    continue
                cand = (cost + c2, g + g2, tids + (tid,) if tid else tids)
                dest = by_word[word]
                if nxt not in dest or cand < dest[nxt]:
                    dest[nxt] = cand
        for word in sorted(by_word):
            elems = _closure(by_word[word], eps, rank, future, limit - alpha[i])
            (c0, g0, prefix), residual, key = _normalize(elems)
            j = index.setdefault(key, len(subsets))
            if j == len(subsets):
                subsets.append(residual)
                alpha.append(inf)
                arcs.append([])
                final.append(None)
            if alpha[i] + c0 < alpha[j]:
                alpha[j] = alpha[i] + c0
                heapq.heappush(heap, (alpha[j] + min(c + future[s] for s, (c, _, _) in residual.items()), j))
            arcs[i].append((j, word, g0, c0 - g0, prefix))
        final[i] = best_final and (best_final[1], best_final[0] - best_final[1], best_final[2])
    return CompactLattice(arcs, final)


def _prune(lat: CompactLattice, beam: float) -> CompactLattice:
    """Keep the arcs and states on paths within ``beam`` of the best path (Kaldi
    ``PruneLattice``), renumbered in topological order from 0."""
    inf = float("inf")
    order = _topo_order(lat.num_states, [[a[0] for a in arcs] for arcs in lat.arcs])
    alpha, beta = [inf] * lat.num_states, [inf] * lat.num_states
    alpha[0] = 0.0
    for s in order:
        for n, _, g, a, _ in lat.arcs[s]:
            alpha[n] = min(alpha[n], alpha[s] + g + a)
    for s in reversed(order):
        f = lat.final[s]
        beta[s] = min([f[0] + f[1] if f else inf] + [g + a + beta[n] for n, _, g, a, _ in lat.arcs[s]])
    if beta[0] == inf:
        raise ValueError("lattice has no successful path")
    limit = beta[0] + beam + 1e-4
    kept = [s for s in order if alpha[s] + beta[s] <= limit]
    new_id = {s: i for i, s in enumerate(kept)}
    arcs = [[(new_id[n], w, g, a, t) for n, w, g, a, t in lat.arcs[s]
             if alpha[s] + g + a + beta[n] <= limit] for s in kept]
    final = [lat.final[s] if lat.final[s] and alpha[s] + sum(lat.final[s][:2]) <= limit else None
             for s in kept]
    return CompactLattice(arcs, final)


def determinize_lattice(raw: kaldifst.Lattice, beam: float, acoustic_scale: float) -> CompactLattice:
    """Word lattice from a decoder's raw lattice (``get_raw_lattice()``).

    As in Kaldi's ``DeterminizeLatticePruned``, only determinized states on paths within
    ``beam`` are expanded. The raw costs come through kaldifst's text printer (6 significant
    digits, as in Kaldi's text archives).

    Args:
        raw (kaldifst.Lattice): state-level lattice, input transition ids, output words,
            weights (graph cost, acoustic cost already scaled by ``acoustic_scale``).
        beam (float): lattice beam, in the decoder's (scaled) cost.
        acoustic_scale (float): the decoding acoustic scale; stored costs are divided by it.

    Returns:
        CompactLattice: one path per word sequence (its best alignment), within ``beam``.

    Raises:
        ValueError: a bad beam or scale, a cyclic lattice or one with no successful path.
    """
    if beam <= 0 or acoustic_scale <= 0:
        raise ValueError(f"beam and acoustic_scale must be positive, got {beam}, {acoustic_scale}")
    if raw.num_states == 0:
        raise ValueError("empty lattice")
    lat = _prune(_determinize(raw, beam), beam)
    arcs = [[(n, w, g, a / acoustic_scale, t) for n, w, g, a, t in s] for s in lat.arcs]
    final = [(f[0], f[1] / acoustic_scale, f[2]) if f else None for f in lat.final]
    return CompactLattice(arcs, final)


def _weight_str(g: float, a: float, tids: tuple[int, ...]) -> str:
    return f"{g:.8g},{a:.8g},{'_'.join(map(str, tids))}"


def write_lattice(f: TextIO, utt: str, lat: CompactLattice) -> None:
    """Append ``lat`` to a Kaldi text archive as ``utt`` (what ``lattice-copy`` writes to
    ``ark,t:``: tab-separated arcs ``src dst word g,a,tid_tid...``, then finals)."""
    f.write(f"{utt} \n")
    for s, arcs in enumerate(lat.arcs):
        for n, w, g, a, tids in arcs:
            f.write(f"{s}\t{n}\t{w}\t{_weight_str(g, a, tids)}\n")
        if lat.final[s] is not None:
            f.write(f"{s}\t{_weight_str(*lat.final[s])}\n")
    f.write("\n")


def _parse_weight(text: str) -> Weight:
    g, a, tids = text.split(",")
    return float(g), float(a), tuple(int(t) for t in tids.split("_")) if tids else ()


def read_lattices(path: str | Path) -> Iterator[tuple[str, CompactLattice]]:
    """Read a Kaldi text archive of compact lattices (gzipped if it ends in ``.gz``).

    Raises:
        ValueError: a malformed line (names the file and line).
    """
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        utt, lines = None, []
        for lineno, line in enumerate(f, 1):
            fields = line.split()
            try:
                if utt is None:
                    if fields:
                        utt, lines = fields[0], []
                    continue
                if not fields:
                    yield utt, _build(lines)
                    utt = None
                    continue
                if len(fields) > 4:
                    raise ValueError(f"expected at most 4 fields, got {len(fields)}")
                weighted = len(fields) in (2, 4)  # Kaldi leaves out a weight of One
                weight = _parse_weight(fields[-1]) if weighted else (0.0, 0.0, ())
                lines.append((*map(int, fields[:-1] if weighted else fields), weight))
            except ValueError as e:
                raise ValueError(f"{path}:{lineno}: bad lattice line {line.strip()!r} ({e})") from None
        if utt is not None:
            raise ValueError(f"{path}: lattice {utt} is not terminated by an empty line")


def _build(lines: list[tuple]) -> CompactLattice:
    num_states = 1 + max((max(x[:2]) if len(x) == 4 else x[0] for x in lines), default=-1)
    lat = CompactLattice([[] for _ in range(num_states)], [None] * num_states)
    for x in lines:
        if len(x) == 2:
            lat.final[x[0]] = x[1]
        else:
            lat.arcs[x[0]].append((x[1], x[2], *x[3]))
    return lat


def _to_kaldifst(lat: CompactLattice) -> kaldifst.Lattice:
    """Expand into a state-level ``kaldifst.Lattice`` (input tids, output words)."""
    fst = kaldifst.Lattice()
    for _ in range(lat.num_states):
        fst.add_state()
    fst.start = 0

    def chain(s: int, word: int, g: float, a: float, tids: tuple[int, ...]) -> int:
        labels = list(tids) or [0]
        for i, tid in enumerate(labels):
            n = fst.add_state()
            w = kaldifst.LatticeWeight(g, a) if i == 0 else kaldifst.LatticeWeight.one
            fst.add_arc(s, kaldifst.LatticeArc(tid, word if i == 0 else 0, w, n))
            s = n
        return s

    for s in range(lat.num_states):
        for n, word, g, a, tids in lat.arcs[s]:
            end = chain(s, word, g, a, tids)
            fst.add_arc(end, kaldifst.LatticeArc(0, 0, kaldifst.LatticeWeight.one, n))
        if lat.final[s] is not None:
            fst.set_final(chain(s, 0, *lat.final[s]), kaldifst.LatticeWeight.one)
    return fst


def lattice_nbest(lat: CompactLattice, n: int = 1, acoustic_scale: float = 1.0,
                  lm_scale: float = 1.0) -> list[tuple[list[int], list[int], float]]:
    """The ``n`` best paths (Kaldi ``lattice-to-nbest`` / ``lattice-best-path``), best first.

    Args:
        lat (CompactLattice): a lattice as written (unscaled acoustic costs).
        n (int): number of paths. (Default: ``1``)
        acoustic_scale (float): acoustic scale, e.g. the decoding ``--acwt``. (Default: ``1.0``)
        lm_scale (float): graph cost scale. (Default: ``1.0``)

    Returns:
        list: ``(words, tids, scaled total cost)`` per path.

    Raises:
        ValueError: ``n`` below 1.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    out = []
    for path in kaldifst.lattice_to_nbest(_to_kaldifst(lat), acoustic_scale=acoustic_scale,
                                          lm_scale=lm_scale, n=n):
        _, tids, words, w = kaldifst.get_linear_symbol_sequence(path)
        out.append((list(words), list(tids), w.value1 + w.value2))
    return out


def add_word_insertion_penalty(lat: CompactLattice, penalty: float) -> CompactLattice:
    """A copy of ``lat`` with ``penalty`` added to the graph cost of every word arc (Kaldi
    ``lattice-add-penalty --word-ins-penalty``)."""
    arcs = [[(n, w, g + penalty if w else g, a, t) for n, w, g, a, t in state] for state in lat.arcs]
    return CompactLattice(arcs, list(lat.final))
