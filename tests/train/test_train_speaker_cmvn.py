"""``cmvn: speaker``: training features normalized with each speaker's own stats."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import digit_utts, tiny_config, write_feats_dir

from asr.features.cmvn import cmvn_stats, utterance_speaker_stats, write_cmvn_stats
from asr.train.config import resolve_config
from asr.train.loader import Example, FeatureStore
from asr.train.model_dir import load_cmvn, read_config
from asr.train.trainer import Trainer

torch.set_num_threads(1)
OFFSETS = {"spk0": 5.0, "spk1": -3.0, "dev0": 2.0, "dev1": -1.0}  # a different channel per speaker


def speaker_dir(path, utts):
    """A feature data dir whose speakers' features are shifted apart, with its cmvn.scp."""
    shifted = {u: (m * 2.0 + OFFSETS[u.split("_")[0]], t) for u, (m, t) in utts.items()}
    write_feats_dir(path, shifted)
    speakers = sorted({u.split("_")[0] for u in shifted})
    stats = {s: cmvn_stats([m for u, (m, _) in shifted.items() if u.startswith(s + "_")]) for s in speakers}
    write_cmvn_stats(stats, path / "cmvn_spk.ark", path / "cmvn.scp")
    return path, shifted


def test_each_speaker_gets_zero_mean_and_unit_variance(tmp_path):
    path, utts = speaker_dir(tmp_path / "train", digit_utts(24, 0))
    store = FeatureStore(utt_stats=utterance_speaker_stats(path))
    scp = dict(line.split(maxsplit=1) for line in (path / "feats.scp").read_text().splitlines())
    for spk in ("spk0", "spk1"):
        spk_utts = [u for u in sorted(utts) if u.startswith(spk + "_")]
        normalized = np.concatenate([store.get(Example(u, scp[u], 0, ())) for u in spk_utts])
        np.testing.assert_allclose(normalized.mean(0), 0.0, atol=1e-4)
        np.testing.assert_allclose(normalized.std(0), 1.0, atol=1e-3)
        raw = np.concatenate([utts[u][0] for u in spk_utts])
        np.testing.assert_allclose(normalized, (raw - raw.mean(0)) / raw.std(0), atol=1e-4)


def test_missing_stats_are_named(tmp_path):
    path, _ = speaker_dir(tmp_path / "train", digit_utts(8, 0))
    lines = (path / "cmvn.scp").read_text().splitlines()
    (path / "cmvn.scp").write_text("".join(line + "\n" for line in lines if not line.startswith("spk1")))
    with pytest.raises(ValueError, match="no stats for speaker spk1"):
        utterance_speaker_stats(path)
    (path / "cmvn.scp").unlink()
    with pytest.raises(ValueError, match="no cmvn.scp or utt2spk for per-speaker CMVN"):
        utterance_speaker_stats(path)
    with pytest.raises(ValueError, match="not both"):
        FeatureStore(np.zeros((2, 9)), utt_stats={})


def test_training_with_speaker_cmvn_learns_and_records_the_mode(tmp_path):
    train, _ = speaker_dir(tmp_path / "train", digit_utts(24, 0))
    dev, _ = speaker_dir(tmp_path / "dev", digit_utts(8, 1, prefix="dev"))
    config = tiny_config(max_epochs=6, noise={"min_snr": 5.0, "max_snr": 20.0, "prob": 0.5})
    result = Trainer(resolve_config({**config, "cmvn": "speaker"}), train, dev, tmp_path / "exp", device="cpu").run()
    assert result["history"][-1]["dev_loss"] < result["history"][0]["dev_loss"]
    saved = read_config(tmp_path / "exp")
    assert saved["cmvn"] == "speaker" and load_cmvn(tmp_path / "exp", saved) is None
    (dev / "cmvn.scp").unlink()
    with pytest.raises(ValueError, match=f"{dev}: no cmvn.scp"):
        Trainer(resolve_config({**config, "cmvn": "speaker"}), train, dev, tmp_path / "exp2", device="cpu").run()
