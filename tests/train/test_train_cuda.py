"""Training on a CUDA device (skipped where there is none, as in CI): the recipe's
on-the-fly augmentation with CR-CTC under fp16 loss scaling and bf16 autocast, and
non-finite batch skipping with the loss scaler on. Padded == single on CUDA is in
tests/nnet/test_nnet_encoders.py."""

from __future__ import annotations

import pytest
import torch
from conftest import digit_utts, nan_feats_dirs, tiny_config
from test_train_speaker_cmvn import speaker_dir

from asr.train.checkpoint import load_checkpoint
from asr.train.config import resolve_config
from asr.train.trainer import Trainer

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")

RECIPE_AUGMENT = {"time_stretch": {"min_rate": 0.8, "max_rate": 1.25},
                  "noise": {"min_snr": 5.0, "max_snr": 25.0, "prob": 0.5, "babble": 0.3},
                  "consistency_weight": 0.2,
                  "specaug": {"num_freq_masks": 2, "max_freq_width": 2, "num_time_masks": 2, "max_time_width": 3}}


@pytest.mark.parametrize("amp", ["fp16", "bf16"])
def test_recipe_augmentation_learns_on_cuda(tmp_path, amp):
    train, _ = speaker_dir(tmp_path / "train", digit_utts(24, 0))
    dev, _ = speaker_dir(tmp_path / "dev", digit_utts(8, 1, prefix="dev"))
    config = {**tiny_config(max_epochs=6, amp=amp, **RECIPE_AUGMENT), "cmvn": "speaker"}
    trainer = Trainer(resolve_config(config), train, dev, tmp_path / "exp", device="cuda")
    progress = trainer.run()
    assert trainer.device.type == "cuda"
    assert trainer.scaler.is_enabled() == (amp == "fp16")
    assert progress["step"] - progress["skipped_steps"] > progress["step"] // 2
    history = progress["history"]
    assert history[-1]["dev_loss"] < history[0]["dev_loss"]
    state = load_checkpoint(tmp_path / "exp" / "final.pt")
    assert all(v.device.type == "cpu" and torch.isfinite(v).all() for v in state.values() if v.is_floating_point())


def test_nan_batch_is_skipped_with_the_loss_scaler(tmp_path):
    train, dev = nan_feats_dirs(tmp_path)
    progress = Trainer(resolve_config(tiny_config(amp="fp16")), train, dev, tmp_path / "exp", device="cuda").run()
    assert progress["skipped_batches"] == 2  # the batch holding it, once per epoch
    state = load_checkpoint(tmp_path / "exp" / "final.pt")
    assert all(torch.isfinite(v).all() for v in state.values() if v.is_floating_point())
