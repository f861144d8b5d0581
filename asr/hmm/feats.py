"""Features as a GMM-HMM reads them: per-speaker CMVN (``cmvn.scp``) then deltas.

Deltas follow Kaldi's ``add-deltas``: order ``k`` features are the order ``k - 1``
filter convolved with ``[-2, -1, 0, 1, 2] / 10`` (window 2), applied to the static
features with frame indices clamped at the edges.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import kaldiio
import numpy as np

from asr.data.datadir import DataDir, load_data_dir
from asr.features.cmvn import apply_cmvn

__all__ = ["FeatureOptions", "add_deltas", "iter_features"]


@dataclass(frozen=True)
class FeatureOptions:
    """How a model post-processes features: ``norm_vars`` (CMVN variance normalization,
    Kaldi's default ``False``) and ``delta_order`` (``2``: statics, deltas, delta-deltas)."""

    norm_vars: bool = False
    delta_order: int = 2


def add_deltas(feats: np.ndarray, order: int = 2, window: int = 2) -> np.ndarray:
    """Append delta features.

    Args:
        feats (np.ndarray): ``(T, D)``.
        order (int): number of delta orders to append. (Default: ``2``)
        window (int): half-width of the regression window. (Default: ``2``)

    Returns:
        np.ndarray: ``(T, D * (order + 1))``, ``feats``' dtype.
    """
    if order < 0 or window < 1:
        raise ValueError(f"order must be >= 0 and window >= 1, got {order}, {window}")
    base = np.arange(-window, window + 1, dtype=np.float64)
    base /= np.sum(base ** 2)
    filters = [np.ones(1)]
    for _ in range(order):
        filters.append(np.convolve(filters[-1], base))
    t = len(feats)
    out = [feats.astype(np.float64)]
    for f in filters[1:]:
        half = len(f) // 2
        idx = np.clip(np.arange(t)[:, None] + np.arange(-half, half + 1)[None, :], 0, t - 1)
        out.append(np.einsum("tkd,k->td", feats.astype(np.float64)[idx], f))
    return np.concatenate(out, 1).astype(feats.dtype)


def iter_features(data: DataDir | str | os.PathLike, options: FeatureOptions,
                  utts: list[str] | None = None) -> Iterator[tuple[str, np.ndarray]]:
    """Yield ``(utt, features)`` of a data dir with CMVN and deltas, in Kaldi order.

    Args:
        data (DataDir or path): needs ``feats.scp`` and ``cmvn.scp`` (per speaker).
        options (FeatureOptions): the model's post-processing.
        utts (list[str] or None): only these utterances. (Default: all)

    Raises:
        ValueError: a missing file, or an utterance without features or CMVN stats (named).
    """
    if not isinstance(data, DataDir):
        data = load_data_dir(data)
    path = Path(data.path)
    for name in ("feats.scp", "cmvn.scp"):
        if not (path / name).is_file():
            raise ValueError(f"{path}: no {name} (run steps/make_mfcc.sh and "
                             "steps/compute_cmvn_stats.sh)")
    feats = kaldiio.load_scp(str(path / "feats.scp"))
    cmvn = kaldiio.load_scp(str(path / "cmvn.scp"))
    for utt in data.utt_ids if utts is None else utts:
        spk = data.utt2spk.get(utt)
        if utt not in feats:
            raise ValueError(f"{path}/feats.scp: no features for utterance {utt}")
        if spk not in cmvn:
            raise ValueError(f"{path}/cmvn.scp: no stats for speaker {spk} of utterance {utt}")
        x = apply_cmvn(np.asarray(feats[utt], dtype=np.float32), cmvn[spk], options.norm_vars)
        yield utt, add_deltas(x, options.delta_order)
