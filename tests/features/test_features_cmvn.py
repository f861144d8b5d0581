"""CMVN stats in Kaldi's format, apply_cmvn, and steps/compute_cmvn_stats.sh."""

from __future__ import annotations

import subprocess
from pathlib import Path

import kaldiio
import numpy as np
import pytest

from asr.features.cmvn import apply_cmvn, cmvn_stats


def _kaldi_stats(mats: list[np.ndarray]) -> np.ndarray:
    """Kaldi's layout, by hand: [sum, count; sum of squares, 0]."""
    allf = np.concatenate(mats).astype(np.float64)
    return np.vstack([np.append(allf.sum(0), len(allf)), np.append((allf ** 2).sum(0), 0.0)])


def test_stats_are_kaldis_sums():
    rng = np.random.default_rng(0)
    mats = [rng.normal(3.0, 2.0, (n, 4)).astype(np.float32) for n in (5, 17, 1)]
    stats = cmvn_stats(mats)
    assert stats.shape == (2, 5) and stats.dtype == np.float64
    np.testing.assert_allclose(stats, _kaldi_stats(mats), rtol=1e-12)
    assert cmvn_stats([], dim=3).tolist() == [[0, 0, 0, 0], [0, 0, 0, 0]]
    with pytest.raises(ValueError, match="dimension 3 differs from 4"):
        cmvn_stats([mats[0], np.zeros((2, 3))])


def test_apply_cmvn_means_and_variances():
    rng = np.random.default_rng(1)
    feats = rng.normal([1.0, -5.0, 20.0], [1.0, 3.0, 0.5], (400, 3)).astype(np.float32)
    stats = cmvn_stats([feats])
    normed = apply_cmvn(feats, stats)
    assert normed.dtype == np.float32
    np.testing.assert_allclose(normed.mean(0), 0.0, atol=1e-4)
    np.testing.assert_allclose(normed.std(0), feats.std(0), rtol=1e-5)
    scaled = apply_cmvn(feats, stats, norm_vars=True)
    np.testing.assert_allclose(scaled.std(0), 1.0, rtol=1e-4)
    np.testing.assert_allclose(scaled, (feats - feats.mean(0)) / feats.std(0), atol=1e-4)
    with pytest.raises(ValueError, match="do not fit"):
        apply_cmvn(feats[:, :2], stats)
    with pytest.raises(ValueError, match="frame count 0"):
        apply_cmvn(feats, np.zeros((2, 4)))


def _sh(repo_root: Path, command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", ". ./path.sh && " + command], cwd=repo_root,
                          capture_output=True, text=True, timeout=300)


def test_compute_cmvn_stats_sh(repo_root, tiny_data_dir):
    data = tiny_data_dir
    out = _sh(repo_root, f"steps/make_fbank.sh --nj 2 {data} && steps/compute_cmvn_stats.sh {data}")
    assert out.returncode == 0, out.stderr
    feats = kaldiio.load_scp(str(data / "feats.scp"))
    speakers = {"spkA": ["spkA_u1", "spkA_u2"], "spkB": ["spkB_u1", "spkB_u2"]}
    cmvn = kaldiio.load_scp(str(data / "cmvn.scp"))
    assert list(cmvn) == list(speakers)
    for spk, utts in speakers.items():
        assert cmvn[spk].dtype == np.float64  # Kaldi's double matrices
        np.testing.assert_allclose(cmvn[spk], _kaldi_stats([feats[u] for u in utts]), rtol=1e-9)
    glob = kaldiio.load_mat(str(data / "cmvn_global.mat"))
    np.testing.assert_allclose(glob, _kaldi_stats([feats[u] for u in feats]), rtol=1e-9)
    assert glob[0, -1] == sum(int(line.split()[1]) for line in (data / "utt2num_frames").read_text().splitlines())
    assert (data / "data" / f"cmvn_{data.name}.ark").read_bytes()[:10] == b"spkA \0BDM "


def test_compute_cmvn_stats_sh_without_features_fails(repo_root, tiny_data_dir):
    out = _sh(repo_root, f"steps/compute_cmvn_stats.sh {tiny_data_dir}")
    assert out.returncode != 0
    assert f"no such file {tiny_data_dir}/feats.scp" in out.stderr
