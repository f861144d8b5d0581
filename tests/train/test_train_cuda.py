"""Training and masking on a CUDA device (skipped where there is none, as in CI): the
recipe's on-the-fly augmentation with CR-CTC under fp16 loss scaling and bf16 autocast,
non-finite batch skipping with the loss scaler on, and padded == single for every
encoder on the GPU's kernels."""

from __future__ import annotations

import pytest
import torch
from conftest import digit_utts, nan_feats_dirs, tiny_config
from test_train_speaker_cmvn import speaker_dir

from asr.nnet.registry import ENCODERS
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


ENCODER_CASES = [
    ("conformer", dict(dim=32, num_heads=4, ffn_dim=64, num_blocks=2, kernel_size=7, conv_norm="batch_norm")),
    ("conformer", dict(dim=32, num_heads=4, ffn_dim=64, num_blocks=2, kernel_size=7, conv_norm="layer_norm")),
    ("transformer", dict(dim=32, num_heads=4, ffn_dim=64, num_layers=2)),
    ("crnn", dict(conv_dim=32, hidden_size=16, num_layers=2, rnn_type="lstm", bidirectional=True)),
]


@pytest.mark.parametrize("name,extra", ENCODER_CASES, ids=["conformer-bn", "conformer-ln", "transformer", "crnn"])
def test_batched_equals_single_on_cuda(name, extra, monkeypatch):
    # compare masking, not TF32 rounding (matmuls are full fp32 by default, cuDNN's convolutions are not)
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)
    torch.manual_seed(0)
    enc = ENCODERS.build({"type": name, **extra, "dropout": 0.0, "subsampling_rate": 4}, input_dim=20)
    enc = enc.cuda().eval()
    lengths = [37, 11, 24, 5]
    gen = torch.Generator().manual_seed(1)
    utts = [torch.randn(n, 20, generator=gen) for n in lengths]
    batch = 100.0 * torch.randn(len(utts), max(lengths) + 3, 20, generator=gen)  # garbage padding
    for i, u in enumerate(utts):
        batch[i, : len(u)] = u
    with torch.no_grad():
        out, out_lengths = enc(batch.cuda(), torch.tensor(lengths).cuda())
        for i, u in enumerate(utts):
            single, single_lengths = enc(u[None].cuda(), torch.tensor([len(u)]).cuda())
            n = int(single_lengths)
            assert int(out_lengths[i]) == n
            torch.testing.assert_close(out[i, :n], single[0], atol=1e-4, rtol=0)
            assert torch.all(out[i, n:] == 0)
