"""Tiny feature data dirs and model configs for the training tests."""

from __future__ import annotations

from pathlib import Path

import kaldiio
import numpy as np
import pytest

from asr.features.cmvn import cmvn_stats, write_global_cmvn_stats

DIGITS = ["ZERO", "ONE", "TWO", "THREE"]


def write_feats_dir(path: Path, utts: dict[str, tuple[np.ndarray, str]]) -> Path:
    """A data dir with feats.scp/ark, text, utt2spk, spk2utt, utt2num_frames, conf/feats.yaml
    and cmvn_global.mat, from ``utt -> (features (T, D), transcript)``."""
    path.mkdir(parents=True, exist_ok=True)
    kaldiio.save_ark(str(path / "feats.ark"), {u: m for u, (m, _) in utts.items()}, scp=str(path / "feats.scp"))
    keys = sorted(utts)
    (path / "text").write_text("".join(f"{u} {utts[u][1]}\n" for u in keys))
    (path / "utt2spk").write_text("".join(f"{u} {u.split('_')[0]}\n" for u in keys))
    spk: dict[str, list[str]] = {}
    for u in keys:
        spk.setdefault(u.split("_")[0], []).append(u)
    (path / "spk2utt").write_text("".join(f"{s} {' '.join(us)}\n" for s, us in sorted(spk.items())))
    (path / "utt2num_frames").write_text("".join(f"{u} {utts[u][0].shape[0]}\n" for u in keys))
    (path / "conf").mkdir(exist_ok=True)
    (path / "conf" / "feats.yaml").write_text("feature_type: fbank\nnum_mel_bins: 8\n")
    finite = [m for m, _ in utts.values() if np.isfinite(m).all()]
    write_global_cmvn_stats(cmvn_stats(finite, dim=8), path / "cmvn_global.mat")
    return path


def digit_utts(n: int, seed: int, prefix: str = "spk") -> dict[str, tuple[np.ndarray, str]]:
    """``n`` utterances whose 8-dim features encode their digit (a class-dependent mean plus noise)."""
    rng = np.random.default_rng(seed)
    utts = {}
    for i in range(n):
        d = i % len(DIGITS)
        frames = int(rng.integers(14, 30))
        mean = np.zeros(8, dtype=np.float32)
        mean[2 * d: 2 * d + 2] = 3.0
        utts[f"{prefix}{i % 2}_{i:03d}"] = ((mean + rng.normal(size=(frames, 8))).astype(np.float32), DIGITS[d])
    return utts


def nan_feats_dirs(path: Path) -> tuple[Path, Path]:
    """(train, dev) tiny feature data dirs with one NaN in one training utterance."""
    utts = digit_utts(24, 0)
    bad = sorted(utts)[5]
    mat, text = utts[bad]
    mat = mat.copy()
    mat[3, 2] = np.nan
    utts[bad] = (mat, text)
    return write_feats_dir(path / "train", utts), write_feats_dir(path / "dev", digit_utts(8, 1, prefix="dev"))


def tiny_config(conv_norm: str = "batch_norm", dropout: float = 0.1, **train) -> dict:
    """A resolved-config-shaped dict for a ~10k-parameter conformer (word units)."""
    model = {"input_dim": 8, "ctc_weight": 1.0, "encoder": {
        "type": "conformer", "dim": 16, "num_heads": 2, "ffn_dim": 32, "num_blocks": 1, "kernel_size": 3,
        "subsampling_rate": 2, "dropout": dropout, "conv_norm": conv_norm}}
    base = {"max_epochs": 2, "max_frames_per_batch": 120, "lr": 3e-3, "warmup_steps": 3,
            "checkpoint_every_steps": 2, "average_last": 2, "log_interval": 1000, "plot": False,
            "specaug": {"max_freq_width": 2, "max_time_width": 3}}
    base.update(train)
    return {"model": model, "units": {"type": "word"}, "cmvn": "global", "train": base}


@pytest.fixture
def feats_dirs(tmp_path: Path) -> tuple[Path, Path]:
    """(train, dev) tiny feature data dirs."""
    return (write_feats_dir(tmp_path / "train", digit_utts(24, 0)),
            write_feats_dir(tmp_path / "dev", digit_utts(8, 1, prefix="dev")))
