"""train.noise and train.reverb in the trainer: applied to every training batch and to no
dev batch, and features that the log-mel models do not fit are refused with the data dir named."""

import pytest
import torch
from conftest import tiny_config

from asr.augment import FeatureNoise, FeatureReverb
from asr.train.config import resolve_config
from asr.train.trainer import Trainer

torch.set_num_threads(1)

NOISE = {"min_snr": 0.0, "max_snr": 5.0, "prob": 1.0, "babble": 0.5}
REVERB = {"min_rt60": 0.3, "max_rt60": 0.9, "min_drr": -3.0, "max_drr": 3.0, "prob": 1.0}


@pytest.mark.parametrize("key, options, cls", [("noise", NOISE, FeatureNoise), ("reverb", REVERB, FeatureReverb)])
def test_every_training_batch_and_no_dev_batch_is_augmented(feats_dirs, tmp_path, monkeypatch, key, options, cls):
    train, dev = feats_dirs
    calls = []
    original = cls.__call__

    def spy(self, feats, lengths, *args):
        out = original(self, feats, lengths, *args)
        calls.append((feats.shape[0], bool((out != feats).flatten(1).any(1).all())))
        return out

    monkeypatch.setattr(cls, "__call__", spy)
    progress = Trainer(resolve_config(tiny_config(max_epochs=1, **{key: options})), train, dev, tmp_path / "exp",
                       device="cpu").run()
    assert len(calls) == progress["step"] > 0
    assert sum(n for n, _ in calls) == 24  # the training utterances, once each; no dev one
    assert all(changed for _, changed in calls)  # prob 1: every utterance is changed


@pytest.mark.parametrize("key, options", [("noise", NOISE), ("reverb", REVERB)])
def test_mfcc_features_are_refused(feats_dirs, tmp_path, key, options):
    train, dev = feats_dirs
    (train / "conf" / "feats.yaml").write_text("feature_type: mfcc\nnum_ceps: 8\n")
    with pytest.raises(ValueError, match=f"train.{key}: .*log-mel power filterbank.*{train}"):
        Trainer(resolve_config(tiny_config(**{key: options})), train, dev, tmp_path / "exp", device="cpu").run()
