"""Monophone GMM-HMM training from a flat start (Kaldi ``steps/train_mono.sh``).

Iteration 0: every pdf gets one Gaussian with the global mean and variance, frames are
spread evenly over each transcript's HMM states (equal alignment) and the model is
re-estimated. Iterations 1..N-1: realign by Viterbi on the iterations of
``realign_iters``, accumulate, re-estimate GMMs and transition probabilities, and split
Gaussians towards ``totgauss`` (reached after ``max_iter_inc`` iterations).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

import numpy as np

from asr.graph.compile import TrainingGraphCompiler
from asr.data.datadir import load_data_dir
from asr.hmm.align import AlignmentError, equal_align, viterbi_align
from asr.hmm.feats import FeatureOptions, iter_features
from asr.hmm.gmm import DiagGmms, GmmStats, split_targets
from asr.hmm.model import AcousticModel, mono_phone_pdfs
from asr.hmm.transition import TransitionModel
from asr.lang.lang import Lang

__all__ = ["MonoConfig", "Utterance", "load_utterances", "train_mono", "align_all"]

_log = logging.getLogger(__name__)

_KALDI_REALIGN = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 18, 20, 23, 26, 29, 32, 35, 38)


@dataclass
class MonoConfig:
    """Training options (Kaldi ``train_mono.sh`` defaults).

    Attributes:
        num_iters (int): training iterations, the first from the equal alignment.
        max_iter_inc (int): the last iteration that adds Gaussians.
        totgauss (int): target total number of Gaussians.
        power (float): Gaussians per pdf proportional to occupancy ** power.
        realign_iters (tuple[int, ...]): iterations that start with a Viterbi realignment.
        beam, retry_beam (float): alignment beams.
        acoustic_scale, transition_scale, self_loop_scale (float): alignment scales.
        min_gaussian_occupancy (float): Gaussians with less occupancy are removed.
        var_floor (float): absolute variance floor.
        boost_silence (float): factor on the silence phones' likelihoods when aligning
            (Kaldi's ``gmm-boost-silence``); below 1 makes alignments give less time to
            silence.
    """

    num_iters: int = 40
    max_iter_inc: int = 30
    totgauss: int = 1000
    power: float = 0.25
    realign_iters: tuple[int, ...] = field(default=_KALDI_REALIGN)
    beam: float = 6.0
    retry_beam: float = 20.0
    acoustic_scale: float = 0.1
    transition_scale: float = 1.0
    self_loop_scale: float = 0.1
    min_gaussian_occupancy: float = 3.0
    var_floor: float = 0.001
    boost_silence: float = 1.0
    seed: int = 0

    def check(self) -> None:
        if not self.boost_silence > 0:
            raise ValueError(f"boost_silence must be positive, got {self.boost_silence}")
        if self.num_iters < 1 or self.totgauss < 1 or self.max_iter_inc < 1:
            raise ValueError("num_iters, totgauss and max_iter_inc must be >= 1")
        if self.beam <= 0 or self.retry_beam < self.beam or self.acoustic_scale <= 0:
            raise ValueError("need 0 < beam <= retry_beam and acoustic_scale > 0")


@dataclass
class Utterance:
    """Training data of one utterance: ``(T, D)`` features and transcript word ids."""

    feats: np.ndarray
    word_ids: list[int]


def load_utterances(data_dir: str, lang: Lang, options: FeatureOptions) -> dict[str, Utterance]:
    """Features (CMVN, deltas) and transcripts of a data dir.

    Raises:
        ValueError: no ``text``, a word not in the lexicon or an empty transcript (naming
            file and utterance), or missing features.
    """
    data = load_data_dir(data_dir)
    if data.text is None:
        raise ValueError(f"{data_dir}: no text (transcripts are needed to align)")
    out = {}
    for utt, feats in iter_features(data, options):
        words = data.text.get(utt, "").split()
        where = f"{data.path / 'text'}: utterance {utt}"
        if not words:
            raise ValueError(f"{where}: empty or missing transcript")
        out[utt] = Utterance(feats, lang.word_ids(words, where))
    return out


def align_all(model: AcousticModel, lang: Lang, utts: dict[str, Utterance],
              config: MonoConfig) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Viterbi-align every utterance.

    Returns:
        (dict, dict): utterance to ``(T,)`` transition ids, and utterance to the reason
        it failed to align.
    """
    compiler = TrainingGraphCompiler(lang, model.trans, config.transition_scale,
                                     config.self_loop_scale)
    # tid 0 is not a transition id; the column layout of tid_log_likes skips it
    silence = np.isin(model.trans.tid_phone[1:], lang.silence_phones)
    boost = config.acoustic_scale * math.log(config.boost_silence)
    alis, failed = {}, {}
    for utt, u in utts.items():
        log_likes = model.tid_log_likes(u.feats, config.acoustic_scale)
        if boost:
            log_likes[:, silence] += boost
        try:
            alis[utt], _ = viterbi_align(compiler.compile(u.word_ids), log_likes,
                                         config.beam, config.retry_beam)
        except AlignmentError as e:
            failed[utt] = str(e)
    return alis, failed


def _report_failures(failed: dict[str, str], total: int, what: str) -> None:
    for utt, why in failed.items():
        _log.warning("%s: utterance %s failed: %s", what, utt, why)
    if failed:
        _log.warning("%s: %d of %d utterances failed to align", what, len(failed), total)
    if len(failed) == total:
        raise ValueError(f"{what}: no utterance could be aligned")


def _accumulate(model: AcousticModel, utts: dict[str, Utterance],
                alis: dict[str, np.ndarray]) -> tuple[GmmStats, np.ndarray]:
    stats = GmmStats(model.gmms.num_comps, model.gmms.dim)
    counts = np.zeros(model.trans.num_tids + 1)
    for utt, tids in alis.items():
        model.gmms.accumulate(utts[utt].feats, model.trans.tid_pdf[tids], stats)
        counts += np.bincount(tids, minlength=len(counts))
    return stats, counts


def train_mono(lang: Lang, utts: dict[str, Utterance], config: MonoConfig
               ) -> tuple[AcousticModel, dict[str, np.ndarray]]:
    """Train a monophone model.

    Args:
        lang (Lang): the lang dir (topology, shared phones, ``L.fst``).
        utts (dict[str, Utterance]): training utterances (features with CMVN and deltas).
        config (MonoConfig): options.

    Returns:
        (AcousticModel, dict): the final model and the last alignments (transition ids).

    Raises:
        ValueError: no utterances, or none that can be aligned.
    """
    config.check()
    if not utts:
        raise ValueError("no training utterances")
    all_feats = np.concatenate([u.feats for u in utts.values()])
    trans = TransitionModel(lang.topo, mono_phone_pdfs(lang))
    gmms = DiagGmms.single(trans.num_pdfs, all_feats.mean(0), all_feats.var(0))
    model = AcousticModel(trans, gmms)
    _log.info("%d utterances, %d frames, dim %d; %d phones, %d pdfs, %d transition ids",
              len(utts), len(all_feats), gmms.dim, len(trans.phone_pdfs), trans.num_pdfs,
              trans.num_tids)

    compiler = TrainingGraphCompiler(lang, trans, config.transition_scale, config.self_loop_scale)
    alis, failed = {}, {}
    for utt, u in utts.items():
        try:
            alis[utt] = equal_align(compiler.compile(u.word_ids), len(u.feats), config.seed)
        except AlignmentError as e:
            failed[utt] = str(e)
    _report_failures(failed, len(utts), "equal alignment")

    numgauss = trans.num_pdfs
    incgauss = max(0, (config.totgauss - numgauss) // config.max_iter_inc)
    for it in range(config.num_iters):
        start = time.time()
        if it in config.realign_iters:
            alis, failed = align_all(model, lang, utts, config)
            _report_failures(failed, len(utts), f"iteration {it} realignment")
        stats, counts = _accumulate(model, utts, alis)
        removed = gmms.update(stats, config.min_gaussian_occupancy, config.var_floor)
        trans.update(counts)
        if it > 0:
            pdf_occ = np.bincount(trans.tid_pdf[1:], weights=counts[1:], minlength=gmms.num_pdfs)
            current = np.bincount(gmms.comp_pdf, minlength=gmms.num_pdfs)
            gmms.split(split_targets(pdf_occ, numgauss, config.power, current),
                       seed=config.seed + it)
            if it <= config.max_iter_inc:
                numgauss = min(config.totgauss, numgauss + incgauss)
        _log.info("iteration %d: avg log-likelihood per frame %.4f over %d frames of %d "
                  "utterances%s; %d Gaussians%s (%.1f s)", it, stats.log_like / stats.frames,
                  stats.frames, len(alis), " (realigned)" if it in config.realign_iters else "",
                  gmms.num_comps, f", {removed} removed" if removed else "", time.time() - start)
    alis, failed = align_all(model, lang, utts, config)
    _report_failures(failed, len(utts), "final alignment")
    return model, alis
