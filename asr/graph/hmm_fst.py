"""H: transition ids in, context-independent phones out.

One hub state is start and final. Each phone is a copy of its topology: entering it
reads the transition id of an arc leaving HMM state 0 and writes the phone; every other
arc reads its transition id and writes epsilon; arcs to the topology's final state return
to the hub. Self-loops are built in (not added after determinization as Kaldi's
``add-self-loops`` does): with context-independent phones and small vocabularies,
determinizing with them costs little and saves Kaldi's self-loop reordering bookkeeping.
Disambiguation phones (``#0``, ``#1``...) pass through as hub self-loops whose input
labels are ``num_tids + 1 + k``; :func:`asr.graph.compile.make_hclg` turns them into
epsilons after determinization.
"""

from __future__ import annotations

import kaldifst
import numpy as np

from asr.hmm.transition import TransitionModel

__all__ = ["make_h_fst", "disambig_ilabels"]


def disambig_ilabels(trans: TransitionModel, disambig_phones: list[int]) -> dict[int, int]:
    """Input label of H for each disambiguation phone id: ``num_tids + 1 + k``."""
    return {p: trans.num_tids + 1 + k for k, p in enumerate(sorted(disambig_phones))}


def make_h_fst(trans: TransitionModel, disambig_phones: list[int] = (),
               transition_scale: float = 1.0, self_loop_scale: float = 0.1,
               costs: np.ndarray | None = None) -> kaldifst.StdVectorFst:
    """Build H.

    Args:
        trans (TransitionModel): gives transition ids, phones and probabilities.
        disambig_phones (list[int]): phone ids of ``#n`` symbols to pass through. (Default: none)
        transition_scale, self_loop_scale (float): see
            :meth:`TransitionModel.graph_costs`. (Defaults: ``1.0``, ``0.1``, Kaldi's)
        costs (np.ndarray or None): ``(num_tids + 1,)`` arc costs overriding the scaled
            transition probabilities (e.g. zeros). (Default: ``None``)

    Returns:
        kaldifst.StdVectorFst: H, arcs sorted by output label.
    """
    if costs is None:
        costs = trans.graph_costs(transition_scale, self_loop_scale)
    fst = kaldifst.StdVectorFst()
    hub = fst.add_state()
    fst.start = hub
    fst.set_final(hub, 0.0)
    for phone in sorted(trans.phone_tstates):
        entry = trans.topo.entry(phone)
        final = len(entry.states) - 1
        states = {s: fst.add_state() for s in range(final)}
        states[final] = hub
        for ts in trans.phone_tstates[phone]:
            for tid in trans.tstate_tids[ts]:
                src, dest = int(trans.tid_state[tid]), int(trans.tid_dest[tid])
                arc = kaldifst.StdArc(int(tid), 0, float(costs[tid]), states[dest])
                fst.add_arc(states[src], arc)
                if src == 0:
                    fst.add_arc(hub, kaldifst.StdArc(int(tid), phone, float(costs[tid]), states[dest]))
    for phone, ilabel in disambig_ilabels(trans, list(disambig_phones)).items():
        fst.add_arc(hub, kaldifst.StdArc(ilabel, phone, 0.0, hub))
    kaldifst.connect(fst)
    kaldifst.arcsort(fst, sort_type="olabel")
    return fst
