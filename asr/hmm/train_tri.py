"""Triphone GMM-HMM training from monophone alignments (Kaldi ``steps/train_deltas.sh``).

Tree statistics are accumulated from the alignments and the tree is built
(:mod:`asr.hmm.tree`); each leaf starts as one Gaussian from its statistics
(``gmm-init-model``); the alignments are converted to the new model (``convert-ali``:
same frames, same HMM states); then EM iterations re-estimate GMMs and transitions,
realign on ``realign_iters`` and split Gaussians towards ``totgauss``, as
:func:`asr.hmm.train_mono.train_mono` does.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np

from asr.hmm.context import ContextDependency, TreeTransitionModel, phone_windows, split_to_phones
from asr.hmm.gmm import DiagGmms, split_targets
from asr.hmm.model import AcousticModel
from asr.hmm.train_mono import (MonoConfig, Utterance, _accumulate, _report_failures,
                                align_all)
from asr.hmm.transition import TransitionModel
from asr.hmm.tree import TreeStats, accumulate_tree_stats, build_tree
from asr.hmm.tree_questions import make_questions
from asr.lang.lang import Lang
from asr.lang.topology import Topology

__all__ = ["TriConfig", "init_tree_model", "convert_alignments", "train_tri"]

_log = logging.getLogger(__name__)


@dataclass
class TriConfig:
    """Training options (Kaldi ``train_deltas.sh`` defaults where they apply).

    Attributes:
        num_leaves (int): most tree leaves (pdfs). tree_thresh (float): least likelihood
            gain of a split. tree_min_count (float): fewest frames per leaf.
        totgauss (int): target total number of Gaussians.
        num_iters, max_iter_inc (int): iterations; the last one that adds Gaussians.
        realign_iters (tuple[int, ...]): iterations that start with a realignment.
        The rest as :class:`~asr.hmm.train_mono.MonoConfig`.
    """

    num_leaves: int = 2000
    totgauss: int = 10000
    tree_thresh: float = 300.0
    tree_min_count: float = 10.0
    num_iters: int = 35
    max_iter_inc: int = 25
    power: float = 0.25
    realign_iters: tuple[int, ...] = field(default=(10, 20, 30))
    beam: float = 10.0
    retry_beam: float = 40.0
    acoustic_scale: float = 0.1
    transition_scale: float = 1.0
    self_loop_scale: float = 0.1
    min_gaussian_occupancy: float = 3.0
    var_floor: float = 0.001
    seed: int = 0

    def align_config(self) -> MonoConfig:
        """The alignment options in the form :func:`align_all` takes."""
        return MonoConfig(beam=self.beam, retry_beam=self.retry_beam,
                          acoustic_scale=self.acoustic_scale,
                          transition_scale=self.transition_scale,
                          self_loop_scale=self.self_loop_scale)

    def check(self) -> None:
        if min(self.num_leaves, self.totgauss, self.num_iters, self.max_iter_inc) < 1:
            raise ValueError("num_leaves, totgauss, num_iters and max_iter_inc must be >= 1")
        self.align_config().check()


def init_tree_model(stats: TreeStats, ctx: ContextDependency, topo: Topology,
                    var_floor: float) -> AcousticModel:
    """One Gaussian per leaf from the tree statistics of its contexts; a leaf without
    data gets the global mean and variance."""
    num_pdfs = ctx.num_pdfs
    pdf = np.array([ctx.pdf(tuple(int(v) for v in k[:3]), int(k[3])) for k in stats.keys])
    occ = np.bincount(pdf, weights=stats.occ, minlength=num_pdfs)
    x = np.zeros((num_pdfs, stats.x.shape[1]))
    x2 = np.zeros_like(x)
    np.add.at(x, pdf, stats.x)
    np.add.at(x2, pdf, stats.x2)
    total = stats.occ.sum()
    g_mean = stats.x.sum(0) / total
    g_var = stats.x2.sum(0) / total - g_mean ** 2
    seen = occ > 0
    n = np.where(seen, occ, 1.0)[:, None]
    mean = np.where(seen[:, None], x / n, g_mean)
    var = np.where(seen[:, None], x2 / n - (x / n) ** 2, g_var)
    gmms = DiagGmms(np.arange(num_pdfs), np.zeros(num_pdfs), mean, np.maximum(var, var_floor))
    return AcousticModel(TreeTransitionModel(topo, ctx), gmms)


def convert_alignments(old: TransitionModel, new: TreeTransitionModel,
                       alis: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Map transition ids of ``old`` to those of ``new`` frame by frame (same phone, HMM
    state and destination; the pdf from the new tree)."""
    cache: dict[tuple, int] = {}
    out = {}
    for utt, tids in alis.items():
        segs = split_to_phones(old, tids)
        conv = np.empty(len(tids), dtype=np.int32)
        for window, (_, start, end) in zip(phone_windows([p for p, _, _ in segs]), segs):
            for t in range(start, end):
                key = (window, int(old.tid_state[tids[t]]), int(old.tid_dest[tids[t]]))
                if key not in cache:
                    cache[key] = new.tid_for(*key)
                conv[t] = cache[key]
        out[utt] = conv
    return out


def train_tri(lang: Lang, utts: dict[str, Utterance], old: TransitionModel,
              alis: dict[str, np.ndarray], config: TriConfig
              ) -> tuple[AcousticModel, dict[str, np.ndarray]]:
    """Train a triphone model.

    Args:
        lang (Lang): the lang dir (topology, roots, questions, ``L.fst``).
        utts (dict[str, Utterance]): training utterances (features with CMVN and deltas).
        old (TransitionModel): the model of the alignments (e.g. the monophone one).
        alis (dict[str, np.ndarray]): its transition-id alignments; utterances without
            one are not used.
        config (TriConfig): options.

    Returns:
        (AcousticModel, dict): the final model and its last alignments.

    Raises:
        ValueError: no aligned utterances, or none that can be realigned.
    """
    config.check()
    alis = {u: a for u, a in alis.items() if u in utts}
    if not alis:
        raise ValueError("no training utterance has an alignment")
    start = time.time()
    stats = accumulate_tree_stats(old, alis, {u: utts[u].feats for u in alis})
    questions = make_questions(lang, stats)
    ctx = build_tree(stats, lang.topo, lang.roots, questions, config.num_leaves,
                     config.tree_thresh, config.tree_min_count)
    model = init_tree_model(stats, ctx, lang.topo, config.var_floor)
    trans, gmms = model.trans, model.gmms
    _log.info("tree: %d contexts, %d questions, %d leaves; %d transition ids (%.1f s)",
              len(stats.occ), len(questions), ctx.num_pdfs, trans.num_tids, time.time() - start)
    alis = convert_alignments(old, trans, alis)
    align_config = config.align_config()
    numgauss = ctx.num_pdfs
    incgauss = max(0, (config.totgauss - numgauss) // config.max_iter_inc)
    for it in range(1, config.num_iters):
        start = time.time()
        if it in config.realign_iters:
            alis, failed = align_all(model, lang, utts, align_config)
            _report_failures(failed, len(utts), f"iteration {it} realignment")
        stats, counts = _accumulate(model, utts, alis)
        removed = gmms.update(stats, config.min_gaussian_occupancy, config.var_floor)
        trans.update(counts)
        if it <= config.max_iter_inc:
            numgauss = min(config.totgauss, numgauss + incgauss)
        if it < config.num_iters - 1:  # the final model keeps re-estimated Gaussians
            pdf_occ = np.bincount(trans.tid_pdf[1:], weights=counts[1:], minlength=gmms.num_pdfs)
            current = np.bincount(gmms.comp_pdf, minlength=gmms.num_pdfs)
            gmms.split(split_targets(pdf_occ, numgauss, config.power, current),
                       seed=config.seed + it)
        _log.info("iteration %d: avg log-likelihood per frame %.4f over %d frames of %d "
                  "utterances%s; %d Gaussians%s (%.1f s)", it, stats.log_like / stats.frames,
                  stats.frames, len(alis), " (realigned)" if it in config.realign_iters else "",
                  gmms.num_comps, f", {removed} removed" if removed else "", time.time() - start)
    alis, failed = align_all(model, lang, utts, align_config)
    _report_failures(failed, len(utts), "final alignment")
    return model, alis
