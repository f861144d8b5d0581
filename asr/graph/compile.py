"""Compose H, L and G: the decoding graph ``HCLG.fst`` and per-utterance training graphs.

Decoding graph (Kaldi ``mkgraph.sh`` for context-independent phones, C being the
identity): ``LG = minimize(determinize*(L_disambig o G))``, then
``HLG = determinize*(H o LG)``, the disambiguation input labels become epsilon, and the
result is minimized (labels and weights encoded). Training graph (Kaldi
``compile-train-graphs``): ``H o L o W`` with ``W`` the linear acceptor of the
transcript and ``L`` without disambiguation symbols; not determinized, so every path
keeps its own transition-id sequence for alignment.

For a context-dependent model (:class:`~asr.hmm.context.TreeTransitionModel`) C sits
between H and L: ``C o LG`` and ``C o L o W`` come from
:func:`~asr.graph.context_fst.compose_triphone_context` and H from
:func:`~asr.graph.context_fst.make_cd_h_fst`.
"""

from __future__ import annotations

import kaldifst

from asr.graph.context_fst import compose_triphone_context, make_cd_h_fst
from asr.graph.hmm_fst import disambig_ilabels, make_h_fst
from asr.hmm.context import TreeTransitionModel
from asr.hmm.transition import TransitionModel
from asr.lang.lang import Lang

__all__ = ["make_hclg", "TrainingGraphCompiler", "linear_acceptor"]


def linear_acceptor(labels: list[int]) -> kaldifst.StdVectorFst:
    """An FST accepting exactly ``labels`` (input = output)."""
    fst = kaldifst.StdVectorFst()
    state = fst.add_state()
    fst.start = state
    for label in labels:
        nxt = fst.add_state()
        fst.add_arc(state, kaldifst.StdArc(label, label, 0.0, nxt))
        state = nxt
    fst.set_final(state, 0.0)
    return fst


def make_hclg(lang: Lang, trans: TransitionModel, transition_scale: float = 1.0,
              self_loop_scale: float = 0.1, max_states: int = 2_000_000) -> kaldifst.StdVectorFst:
    """Build HCLG from a lang dir that holds ``G.fst``.

    Args:
        lang (Lang): the lang dir (``L_disambig.fst``, ``G.fst``, disambiguation phones).
        trans (TransitionModel): the model's transition ids and probabilities.
        transition_scale, self_loop_scale (float): transition-probability scales in the
            graph. (Defaults: ``1.0``, ``0.1``, Kaldi's)
        max_states (int): give up determinizing beyond this many states. (Default: 2,000,000)

    Returns:
        kaldifst.StdVectorFst: HCLG, input labels transition ids, output labels word ids.

    Raises:
        ValueError: a missing ``G.fst``, a graph with no path, or a determinization that
            exceeds ``max_states`` (a sign of a grammar without disambiguation symbols).
    """
    missing = set(lang.real_phones) - set(trans.phone_tstates)
    if missing:
        raise ValueError(f"{lang.path}: phones {sorted(missing)} have no HMM in the model "
                         "(lang dir and model disagree)")
    g = lang.load_fst("G.fst")
    kaldifst.arcsort(g, sort_type="ilabel")
    lg = kaldifst.compose(lang.load_fst("L_disambig.fst"), g)
    if kaldifst.determinize_star(lg, max_states=max_states):
        raise ValueError(f"{lang.path}: determinizing L o G exceeded {max_states} states")
    kaldifst.minimize_encoded(lg)
    kaldifst.arcsort(lg, sort_type="ilabel")
    if isinstance(trans, TreeTransitionModel):
        lg, windows = compose_triphone_context(lg, lang.disambig_phones)
        h, aux = make_cd_h_fst(trans, windows, transition_scale, self_loop_scale)
    else:
        h = make_h_fst(trans, lang.disambig_phones, transition_scale, self_loop_scale)
        aux = disambig_ilabels(trans, lang.disambig_phones).values()
    hlg = kaldifst.compose(h, lg)
    if hlg.num_states == 0:
        raise ValueError(f"{lang.path}: H o L o G is empty (G accepts nothing?)")
    if kaldifst.determinize_star(hlg, max_states=max_states):
        raise ValueError(f"{lang.path}: determinizing H o L o G exceeded {max_states} states")
    disambig = set(aux)
    for state in kaldifst.StateIterator(hlg):
        arcs = [arc for arc in kaldifst.ArcIterator(hlg, state)]
        if any(a.ilabel in disambig for a in arcs):
            hlg.delete_arcs(state, len(arcs))
            for a in arcs:
                ilabel = 0 if a.ilabel in disambig else a.ilabel
                hlg.add_arc(state, kaldifst.StdArc(ilabel, a.olabel, a.weight.value, a.nextstate))
    kaldifst.minimize_encoded(hlg)
    kaldifst.arcsort(hlg, sort_type="ilabel")
    return hlg


class TrainingGraphCompiler:
    """Per-utterance training graphs ``H o L o W`` (transition probabilities included).

    Args:
        lang (Lang): gives ``L.fst``.
        trans (TransitionModel): the current model's transitions.
        transition_scale, self_loop_scale (float): as in :func:`make_hclg`.
    """

    CACHE_SIZE = 1000

    def __init__(self, lang: Lang, trans: TransitionModel, transition_scale: float = 1.0,
                 self_loop_scale: float = 0.1) -> None:
        self.lang = lang
        self.lexicon = lang.load_fst("L.fst")
        kaldifst.arcsort(self.lexicon, sort_type="olabel")
        self.trans = trans
        self.scales = (transition_scale, self_loop_scale)
        self.context_dependent = isinstance(trans, TreeTransitionModel)
        if not self.context_dependent:
            self.h = make_h_fst(trans, (), transition_scale, self_loop_scale)
        self._cache: dict[tuple[int, ...], kaldifst.StdVectorFst] = {}

    def compile(self, word_ids: list[int]) -> kaldifst.StdVectorFst:
        """The graph of one transcript (word ids); empty (no states) if L cannot spell it.
        Graphs of up to ``CACHE_SIZE`` transcripts are kept: isolated-word corpora repeat
        a few transcripts thousands of times. Callers must not modify the result."""
        key = tuple(word_ids)
        if key not in self._cache:
            if len(self._cache) >= self.CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = self._compile(word_ids)
        return self._cache[key]

    def _compile(self, word_ids: list[int]) -> kaldifst.StdVectorFst:
        lw = kaldifst.compose(self.lexicon, linear_acceptor(word_ids))
        kaldifst.arcsort(lw, sort_type="ilabel")
        if self.context_dependent:
            lw, windows = compose_triphone_context(lw)
            h, _ = make_cd_h_fst(self.trans, windows, *self.scales, aux_epsilon=True)
        else:
            h = self.h
        graph = kaldifst.compose(h, lw)
        kaldifst.arcsort(graph, sort_type="ilabel")
        return graph
