"""Triphone context: ``C o X`` via ``kaldifst.compose_context`` and the context-dependent
H transducer that reads transition ids and writes C's input labels.

``compose_context`` (Kaldi ``fstcomposecontext``, ``N=3, P=1``) gives ``C o X`` whose input
labels index a list of *windows*: ``[]`` is epsilon, ``[l, c, r]`` a triphone (``0`` at
the utterance edges; the window is read one phone late, when its right context is known),
``[-d]`` the disambiguation phone ``d``, and ``[0]`` Kaldi's ``#-1``, read (when
disambiguation phones are given) while the first phone's right context is still unknown. ``#-1`` and the disambiguation windows are
kept through determinization as auxiliary input labels of H and become epsilon after it.
"""

from __future__ import annotations

import kaldifst

from asr.hmm.context import TreeTransitionModel

__all__ = ["compose_triphone_context", "make_cd_h_fst"]


def compose_triphone_context(fst: kaldifst.StdVectorFst, disambig_phones: list[int] = ()
                             ) -> tuple[kaldifst.StdVectorFst, list[tuple[int, ...]]]:
    """``C o fst`` for a phone-input FST (e.g. ``L o G``).

    Args:
        fst (StdVectorFst): input labels phones (and disambiguation phones).
        disambig_phones (list[int]): the disambiguation phone ids. (Default: none)

    Returns:
        (StdVectorFst, list[tuple[int, ...]]): the composition, arcs sorted by input
        label, and the window of each of its input labels.
    """
    clg, windows = kaldifst.compose_context(list(disambig_phones), 3, 1, fst)
    kaldifst.arcsort(clg, sort_type="ilabel")
    return clg, [tuple(w) for w in windows]


def make_cd_h_fst(trans: TreeTransitionModel, windows: list[tuple[int, ...]],
                  transition_scale: float = 1.0, self_loop_scale: float = 0.1,
                  aux_epsilon: bool = False) -> tuple[kaldifst.StdVectorFst, list[int]]:
    """H for the windows of a :func:`compose_triphone_context` result.

    One hub state is start and final. Each triphone window ``i`` is a copy of its center
    phone's HMM whose transition ids come from the tree (``trans.window_tstates``);
    entering it writes ``i``. Auxiliary windows (``#-1``, disambiguation phones) are hub
    self-loops writing ``i`` and reading ``num_tids + 1 + k`` (or epsilon with
    ``aux_epsilon``, for training graphs, which are not determinized).

    Returns:
        (StdVectorFst, list[int]): H, arcs sorted by output label, and its auxiliary
        input labels (to turn into epsilon after determinization).
    """
    costs = trans.graph_costs(transition_scale, self_loop_scale)
    fst = kaldifst.StdVectorFst()
    hub = fst.add_state()
    fst.start = hub
    fst.set_final(hub, 0.0)
    aux: list[int] = []
    for i, window in enumerate(windows):
        if len(window) == 1:
            label = 0 if aux_epsilon else trans.num_tids + 1 + len(aux)
            if label:
                aux.append(label)
            fst.add_arc(hub, kaldifst.StdArc(label, i, 0.0, hub))
        elif len(window) == 3:
            final = len(trans.topo.entry(window[1]).states) - 1
            states = {s: fst.add_state() for s in range(final)}
            states[final] = hub
            for s, ts in enumerate(trans.window_tstates(window)):
                for tid in trans.tstate_tids[ts]:
                    arc = kaldifst.StdArc(int(tid), 0, float(costs[tid]),
                                          states[int(trans.tid_dest[tid])])
                    fst.add_arc(states[s], arc)
                    if s == 0:
                        fst.add_arc(hub, kaldifst.StdArc(int(tid), i, float(costs[tid]),
                                                         states[int(trans.tid_dest[tid])]))
        elif len(window) != 0:
            raise ValueError(f"input label {i}: unexpected context window {window}")
    kaldifst.connect(fst)
    kaldifst.arcsort(fst, sort_type="olabel")
    return fst, aux
