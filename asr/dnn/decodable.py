"""Hybrid DNN scores for WFST decoding: scaled log-likelihoods from network posteriors.

By Bayes' rule ``log p(x | s) = log P(s | x) - log P(s) + const``, so the decoder gets,
per frame and pdf, the network's log-softmax minus the log state prior (times a prior
scale, Kaldi nnet1's ``--prior-scale``), times the acoustic scale, laid out per
transition id as :class:`asr.decode.hybrid.HybridDecoder` reads it (the same layout as
:meth:`asr.hmm.model.AcousticModel.tid_log_likes`).
"""

from __future__ import annotations

import numpy as np
import torch

from asr.dnn.tdnn import Tdnn, pad_context
from asr.features.cmvn import apply_cmvn
from asr.hmm.transition import TransitionModel

__all__ = ["DnnAcousticModel"]


class DnnAcousticModel:
    """A TDNN with its transition model, input normalization and priors.

    Args:
        trans (TransitionModel): the GMM's transition model (pdf ids of transition ids).
        net (Tdnn): the network; put in eval mode.
        global_cmvn (np.ndarray): ``(2, D + 1)`` Kaldi CMVN stats of the training features
            (after per-speaker CMVN); inputs are normalized to zero mean, unit variance.
        priors (np.ndarray): ``(num_pdfs,)`` state priors, all positive.
        prior_scale (float): the log prior's weight: 1 is Bayes' rule; below 1, frequent
            states (silence) are penalized less against rare ones. (Default: ``1.0``)

    Raises:
        ValueError: sizes that disagree, a non-positive prior or a negative prior scale.
    """

    def __init__(self, trans: TransitionModel, net: Tdnn, global_cmvn: np.ndarray,
                 priors: np.ndarray, prior_scale: float = 1.0) -> None:
        priors = np.asarray(priors, dtype=np.float64)
        if not trans.num_pdfs == net.num_pdfs == len(priors):
            raise ValueError(f"transition model has {trans.num_pdfs} pdfs, network "
                             f"{net.num_pdfs}, priors {len(priors)}")
        if (priors <= 0).any():
            raise ValueError("priors must be positive")
        if prior_scale < 0:
            raise ValueError(f"prior scale must be >= 0, got {prior_scale}")
        self.trans = trans
        self.net = net.eval()
        self.global_cmvn = np.asarray(global_cmvn, dtype=np.float64)
        self.log_priors = torch.from_numpy(prior_scale * np.log(priors)).float()

    @torch.inference_mode()
    def pdf_log_likes(self, feats: np.ndarray) -> np.ndarray:
        """Unscaled log-likelihoods ``log_softmax(net(x)) - prior_scale * log(priors)``.

        Args:
            feats (np.ndarray): ``(T, D)`` features after per-speaker CMVN.

        Returns:
            np.ndarray: ``(T, num_pdfs)`` float32.
        """
        x = torch.from_numpy(np.ascontiguousarray(
            apply_cmvn(np.asarray(feats, dtype=np.float32), self.global_cmvn, norm_vars=True)))
        x = pad_context(x, self.net.left_context, self.net.right_context)
        log_post = torch.log_softmax(self.net(x[None])[0], dim=-1)
        return (log_post - self.log_priors).numpy()

    def tid_log_likes(self, feats: np.ndarray, acoustic_scale: float = 1.0) -> np.ndarray:
        """Scaled log-likelihoods per frame and transition id (column ``j`` is transition
        id ``j + 1``), as ``kaldi_decoder.DecodableCtc`` reads them.

        Returns:
            np.ndarray: ``(T, num_tids)`` float32.
        """
        pdf_ll = self.pdf_log_likes(feats)
        return np.ascontiguousarray(acoustic_scale * pdf_ll[:, self.trans.tid_pdf[1:]],
                                    dtype=np.float32)
