"""Frame-level training data for a hybrid DNN: features with per-speaker CMVN, frame
targets (pdf ids) from a GMM alignment dir, length-sorted batches padded with edge frames,
and state priors from the alignments' pdf counts.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import numpy as np
import torch

from asr.dnn.tdnn import pad_context
from asr.hmm.align import read_alignments
from asr.hmm.feats import FeatureOptions, iter_features

__all__ = ["FrameData", "load_frame_data", "make_batches", "collate", "pdf_priors",
           "IGNORE_INDEX"]

_log = logging.getLogger(__name__)

#: Target of padded frames (ignored by the loss and by frame accuracy).
IGNORE_INDEX = -100


@dataclass
class FrameData:
    """Utterances with ``(T, D)`` float32 features and ``(T,)`` int64 pdf ids."""

    utts: list[str]
    feats: list[np.ndarray]
    pdfs: list[np.ndarray]

    @property
    def num_frames(self) -> int:
        return int(sum(len(p) for p in self.pdfs))


def load_frame_data(data_dir: str | os.PathLike, pdf_ali_scp: str | os.PathLike,
                    options: FeatureOptions, num_pdfs: int) -> FrameData:
    """Features of a data dir paired with the pdf alignment of each utterance.

    Utterances without an alignment (those the GMM failed to align) are left out, with a
    warning that counts and names them.

    Args:
        data_dir: data dir with ``feats.scp`` and ``cmvn.scp``.
        pdf_ali_scp: alignment dir's ``pdf_ali.scp``.
        options (FeatureOptions): CMVN/delta options applied to the features.
        num_pdfs (int): pdf ids must be in ``[0, num_pdfs)``.

    Raises:
        ValueError: an utterance with non-finite features, an alignment length that
            differs from its frame count or a pdf id out of range (all named), or no
            utterance with an alignment.
    """
    alis = read_alignments(pdf_ali_scp)
    data = FrameData([], [], [])
    missing = []
    for utt, feats in iter_features(data_dir, options):
        if utt not in alis:
            missing.append(utt)
            continue
        if not np.isfinite(feats).all():
            raise ValueError(f"{data_dir}: utterance {utt} has NaN or infinite features after "
                             "CMVN (in feats.scp, or in its speaker's cmvn.scp stats)")
        pdfs = alis[utt].astype(np.int64)
        if len(pdfs) != len(feats):
            raise ValueError(f"{pdf_ali_scp}: utterance {utt} has {len(pdfs)} aligned frames "
                             f"but {len(feats)} feature frames in {data_dir} (features with "
                             "another frame shift or snip-edges setting?)")
        if len(pdfs) and (pdfs.min() < 0 or pdfs.max() >= num_pdfs):
            raise ValueError(f"{pdf_ali_scp}: utterance {utt} has pdf ids outside "
                             f"[0, {num_pdfs})")
        data.utts.append(utt)
        data.feats.append(np.ascontiguousarray(feats, dtype=np.float32))
        data.pdfs.append(pdfs)
    if missing:
        _log.warning("%s: %d utterances have no alignment in %s and are not used: %s%s",
                     data_dir, len(missing), pdf_ali_scp, " ".join(missing[:10]),
                     " ..." if len(missing) > 10 else "")
    if not data.utts:
        raise ValueError(f"{data_dir}: no utterance has an alignment in {pdf_ali_scp}")
    return data


def make_batches(lengths: list[int], batch_frames: int, rng: np.random.Generator | None = None
                 ) -> list[list[int]]:
    """Group utterance indices into batches of similar length.

    Utterances are sorted by length and cut into batches whose padded size (count times
    the longest) stays within ``batch_frames`` (a longer utterance gets a batch of its
    own). With ``rng``, lengths tie-break randomly and the batch order is shuffled.

    Returns:
        list[list[int]]: every index exactly once.
    """
    if batch_frames < 1:
        raise ValueError(f"batch_frames must be positive, got {batch_frames}")
    noise = rng.random(len(lengths)) if rng is not None else np.zeros(len(lengths))
    order = np.lexsort((noise, np.asarray(lengths)))
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        if current and (len(current) + 1) * lengths[i] > batch_frames:
            batches.append(current)
            current = []
        current.append(int(i))
    if current:
        batches.append(current)
    if rng is not None:
        rng.shuffle(batches)
    return batches


def collate(feats: list[np.ndarray], pdfs: list[np.ndarray] | None, left: int, right: int
            ) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Pad a batch for a network with ``left``/``right`` context.

    Each utterance is padded with copies of its first frame on the left and of its last
    frame on the right, up to the batch's longest utterance plus the context.

    Returns:
        (Tensor, Tensor or None): ``(B, T_max + left + right, D)`` float32 features and
        ``(B, T_max)`` int64 targets, :data:`IGNORE_INDEX` on padded frames.
    """
    t_max = max(len(f) for f in feats)
    x = torch.stack([pad_context(torch.from_numpy(f), left, right + t_max - len(f))
                     for f in feats])
    if pdfs is None:
        return x, None
    y = torch.full((len(pdfs), t_max), IGNORE_INDEX, dtype=torch.int64)
    for b, p in enumerate(pdfs):
        y[b, :len(p)] = torch.from_numpy(p)
    return x, y


def pdf_priors(pdf_alis: list[np.ndarray], num_pdfs: int, smoothing: float = 1.0) -> np.ndarray:
    """State priors: pdf counts over all aligned frames plus ``smoothing``, normalized.

    Args:
        pdf_alis (list of np.ndarray): ``(T,)`` pdf ids per utterance.
        num_pdfs (int): length of the result.
        smoothing (float): count added to every pdf, so none has prior 0. (Default: ``1.0``)

    Returns:
        np.ndarray: ``(num_pdfs,)`` float64 summing to 1.

    Raises:
        ValueError: a pdf with prior 0 (never aligned and ``smoothing`` 0).
    """
    if smoothing < 0:
        raise ValueError(f"smoothing must be >= 0, got {smoothing}")
    counts = np.zeros(num_pdfs)
    for a in pdf_alis:
        counts += np.bincount(a, minlength=num_pdfs)
    counts += smoothing
    if (counts <= 0).any():
        raise ValueError(f"pdfs {np.nonzero(counts <= 0)[0].tolist()} never occur in the "
                         "alignments: use a positive prior smoothing")
    return counts / counts.sum()

