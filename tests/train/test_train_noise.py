"""train.noise in the trainer: applied to every training batch and to no dev batch, and
features that the log-mel noise model does not fit are refused with the data dir named."""

import pytest
import torch
from conftest import tiny_config

from asr.augment import FeatureNoise
from asr.train.config import resolve_config
from asr.train.trainer import Trainer

torch.set_num_threads(1)

NOISE = {"min_snr": 0.0, "max_snr": 5.0, "prob": 1.0, "babble": 0.5}


def test_every_training_batch_and_no_dev_batch_gets_noise(feats_dirs, tmp_path, monkeypatch):
    train, dev = feats_dirs
    calls = []
    original = FeatureNoise.__call__

    def spy(self, feats, lengths, *args):
        out = original(self, feats, lengths, *args)
        calls.append((feats.shape[0], bool((out != feats).flatten(1).any(1).all())))
        return out

    monkeypatch.setattr(FeatureNoise, "__call__", spy)
    progress = Trainer(resolve_config(tiny_config(max_epochs=1, noise=NOISE)), train, dev, tmp_path / "exp",
                       device="cpu").run()
    assert len(calls) == progress["step"] > 0
    assert sum(n for n, _ in calls) == 24  # the training utterances, once each; no dev one
    assert all(changed for _, changed in calls)  # prob 1: every utterance is noisy


def test_mfcc_features_are_refused(feats_dirs, tmp_path):
    train, dev = feats_dirs
    (train / "conf" / "feats.yaml").write_text("feature_type: mfcc\nnum_ceps: 8\n")
    with pytest.raises(ValueError, match=f"train.noise: .*log-mel power filterbank.*{train}"):
        Trainer(resolve_config(tiny_config(noise=NOISE)), train, dev, tmp_path / "exp", device="cpu").run()
