"""Cepstral mean and variance normalization with Kaldi's statistics format.

Stats are a ``(2, D + 1)`` float64 matrix: row 0 holds the sum of the features then the
frame count, row 1 the sum of their squares then 0 (Kaldi's ``compute-cmvn-stats``).
On disk: per-speaker stats as a Kaldi archive of double matrices keyed by speaker
(``cmvn.scp`` in the data dir), global stats as one Kaldi binary double matrix.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Mapping

import kaldiio
import numpy as np

from asr.data.datadir import DataDir
from asr.utils.fileio import atomic_write, read_table, write_table

__all__ = ["cmvn_stats", "apply_cmvn", "cmvn_mean_std", "speaker_cmvn_stats", "utterance_speaker_stats",
           "write_cmvn_stats", "write_global_cmvn_stats"]

# Kaldi's floor on the variance in apply-cmvn --norm-vars.
_VAR_FLOOR = 1e-20


def cmvn_stats(feats: Iterable[np.ndarray], dim: int | None = None) -> np.ndarray:
    """Accumulate Kaldi CMVN stats over feature matrices.

    Args:
        feats (iterable of np.ndarray): ``(frames, D)`` matrices.
        dim (int or None): D, required if ``feats`` may be empty. (Default: ``None``)

    Returns:
        np.ndarray: ``(2, D + 1)`` float64 stats.

    Raises:
        ValueError: matrices of different dimensions, or no dimension known.
    """
    stats = None if dim is None else np.zeros((2, dim + 1))
    for mat in feats:
        mat = np.asarray(mat, dtype=np.float64)
        if mat.ndim != 2:
            raise ValueError(f"expected a (frames, dim) matrix, got shape {mat.shape}")
        if stats is None:
            stats = np.zeros((2, mat.shape[1] + 1))
        if mat.shape[1] != stats.shape[1] - 1:
            raise ValueError(f"feature dimension {mat.shape[1]} differs from {stats.shape[1] - 1}")
        stats[0, :-1] += mat.sum(axis=0)
        stats[1, :-1] += np.square(mat).sum(axis=0)
        stats[0, -1] += mat.shape[0]
    if stats is None:
        raise ValueError("no features to accumulate and no dimension given")
    return stats


def apply_cmvn(feats: np.ndarray, stats: np.ndarray, norm_vars: bool = False) -> np.ndarray:
    """Normalize features with CMVN stats, as Kaldi's ``apply-cmvn``.

    Args:
        feats (np.ndarray): ``(frames, D)``.
        stats (np.ndarray): ``(2, D + 1)`` stats (see :func:`cmvn_stats`).
        norm_vars (bool): also scale to unit variance (variance floored at 1e-20). (Default: ``False``)

    Returns:
        np.ndarray: normalized features, ``feats``' dtype.

    Raises:
        ValueError: shapes that do not match, or a frame count below 1.
    """
    stats = np.asarray(stats, dtype=np.float64)
    if feats.ndim != 2 or stats.shape != (2, feats.shape[1] + 1):
        raise ValueError(f"stats of shape {stats.shape} do not fit features of shape {feats.shape}")
    mean, std = cmvn_mean_std(stats)
    if not norm_vars:
        return (feats - mean).astype(feats.dtype)
    return ((feats - mean) / std).astype(feats.dtype)


def cmvn_mean_std(stats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation (variance floored at 1e-20) of ``(2, D + 1)`` CMVN stats.

    Returns:
        (np.ndarray, np.ndarray): ``(D,)`` float64 each.

    Raises:
        ValueError: a frame count below 1.
    """
    stats = np.asarray(stats, dtype=np.float64)
    count = stats[0, -1]
    if count < 1.0:
        raise ValueError(f"insufficient CMVN stats: frame count {count}")
    mean = stats[0, :-1] / count
    return mean, np.sqrt(np.maximum(stats[1, :-1] / count - mean * mean, _VAR_FLOOR))


def speaker_cmvn_stats(data: DataDir, feats: Mapping[str, np.ndarray],
                       speakers: Iterable[str] | None = None) -> dict[str, np.ndarray]:
    """Per-speaker stats over each speaker's utterances (``spk2utt`` order).

    Args:
        data (DataDir): gives ``utt2spk``.
        feats (mapping): utterance to ``(frames, D)`` features (e.g. ``kaldiio.load_scp``).
        speakers (iterable, optional): only these speakers (default: all of ``data``).

    Raises:
        ValueError: an utterance without features, unreadable, or of another dimension (named).
    """
    stats: dict[str, np.ndarray] = {}
    dim = None
    wanted = None if speakers is None else set(speakers)
    for spk, utts in data.spk2utt.items():
        if wanted is not None and spk not in wanted:
            continue
        acc = None
        for utt in utts:
            if utt not in feats:
                raise ValueError(f"utterance {utt} of speaker {spk} has no features")
            try:
                part = cmvn_stats([feats[utt]], dim)
            except (ValueError, OSError) as e:
                raise ValueError(f"utterance {utt}: {e}") from None
            dim = part.shape[1] - 1
            acc = part if acc is None else acc + part
        stats[spk] = acc
    return stats


def utterance_speaker_stats(data_dir: str | os.PathLike) -> dict[str, np.ndarray]:
    """Each utterance's speaker stats, from a data dir's ``utt2spk`` and ``cmvn.scp``.

    Raises:
        ValueError: no ``utt2spk`` or ``cmvn.scp``, or a speaker without stats (named).
    """
    path = Path(data_dir)
    scp = path / "cmvn.scp"
    if not scp.is_file() or not (path / "utt2spk").is_file():
        raise ValueError(f"{path}: no cmvn.scp or utt2spk for per-speaker CMVN (run steps/compute_cmvn_stats.sh)")
    table = kaldiio.load_scp(str(scp))
    by_speaker: dict[str, np.ndarray] = {}
    out = {}
    for utt, spk in read_table(path / "utt2spk").items():
        if spk not in by_speaker:
            if spk not in table:
                raise ValueError(f"{scp}: no stats for speaker {spk} (utterance {utt})")
            by_speaker[spk] = np.asarray(table[spk], dtype=np.float64)
        out[utt] = by_speaker[spk]
    return out


def write_cmvn_stats(stats: dict[str, np.ndarray], ark: str | os.PathLike, scp: str | os.PathLike) -> None:
    """Write stats keyed by speaker as a Kaldi ark of double matrices, and its (sorted) scp,
    each atomically; scp paths are absolute."""
    ark = Path(os.path.abspath(ark))
    index: dict[str, str] = {}
    with atomic_write(ark, "wb") as f:
        for key, mat in stats.items():
            index[key] = f"{ark}:{f.tell() + len(key.encode('utf-8')) + 1}"
            kaldiio.save_ark(f, {key: np.asarray(mat, dtype=np.float64)})
    write_table(scp, index)


def write_global_cmvn_stats(stats: np.ndarray, path: str | os.PathLike) -> None:
    """Write one stats matrix as a Kaldi binary double matrix (no key; what Kaldi's
    ``compute-cmvn-stats scp:feats.scp <wxfilename>`` writes), atomically. Read it back
    with ``kaldiio.load_mat(path)``."""
    with atomic_write(path, "wb") as f:
        kaldiio.save_mat(f, np.asarray(stats, dtype=np.float64))
