"""Exact resume, non-finite step skipping, and the model dir a training run leaves."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import digit_utts, nan_feats_dirs, tiny_config, write_feats_dir

from asr.train.checkpoint import load_checkpoint
from asr.train.config import resolve_config
from asr.train.model_dir import load_cmvn, load_model_dir
from asr.train.trainer import Trainer, TrainingError

torch.set_num_threads(1)


def _train(config, train, dev, exp):
    return Trainer(resolve_config(config), train, dev, exp, device="cpu").run()


AUGMENT = {"mixup_prob": 0.5, "time_stretch": {"min_rate": 0.8, "max_rate": 1.25},
           "noise": {"min_snr": 0.0, "max_snr": 10.0, "prob": 0.5, "babble": 0.5}}


def test_killed_mid_epoch_then_resumed_equals_uninterrupted_run(feats_dirs, tmp_path):
    train, dev = feats_dirs
    full = _train(tiny_config(**AUGMENT), train, dev, tmp_path / "full")
    steps_per_epoch = full["step"] // 2
    kill_at = steps_per_epoch + 3  # mid-epoch 2, one step after the last step checkpoint
    assert 3 < steps_per_epoch and kill_at % 2 == 1
    stopped = _train(tiny_config(**AUGMENT, max_steps=kill_at), train, dev, tmp_path / "resumed")
    assert stopped["step"] == kill_at
    assert load_checkpoint(tmp_path / "resumed" / "last.pt")["progress"]["step"] == kill_at - 1
    resumed = _train(tiny_config(**AUGMENT), train, dev, tmp_path / "resumed")
    assert resumed["step"] == full["step"]
    for name in ("epoch-1.pt", "epoch-2.pt", "final.pt"):
        a, b = load_checkpoint(tmp_path / "full" / name), load_checkpoint(tmp_path / "resumed" / name)
        assert a.keys() == b.keys()
        for key in a:
            assert torch.equal(a[key], b[key]), (name, key)
    assert [h["dev_loss"] for h in resumed["history"]] == [h["dev_loss"] for h in full["history"]]


def test_model_dir_contract_and_checkpoint_average(feats_dirs, tmp_path):
    train, dev = feats_dirs
    exp = tmp_path / "exp"
    _train(tiny_config(plot=True), train, dev, exp)
    for name in ("config.yaml", "units.txt", "cmvn_global.mat", "best-valid.pt", "curves.png", "log"):
        assert (exp / name).exists() or name == "log", name
    model, units, config = load_model_dir(exp)
    assert not model.training
    assert units.symbols == ["<blk>", "<unk>", "ONE", "THREE", "TWO", "ZERO"]
    assert config["model"]["vocab_size"] == 6 and config["model"]["input_dim"] == 8
    assert config["features"]["num_mel_bins"] == 8 and config["cmvn"] == "global"
    assert load_cmvn(exp, config)[0, -1] == sum(int(x.split()[1]) for x in (train / "utt2num_frames").read_text().splitlines())
    e1, e2 = load_checkpoint(exp / "epoch-1.pt"), load_checkpoint(exp / "epoch-2.pt")
    final = model.state_dict()
    name = "encoder.subsampling.out.weight" if "encoder.subsampling.out.weight" in final else next(iter(final))
    assert torch.allclose(final[name], (e1[name] + e2[name]) / 2, atol=1e-6)
    nbt = [k for k in final if k.endswith("num_batches_tracked")]
    for k in nbt:
        assert torch.equal(final[k], e2[k])


def test_nan_batch_is_skipped_and_counted(tmp_path):
    train, dev = nan_feats_dirs(tmp_path)
    progress = _train(tiny_config(), train, dev, tmp_path / "exp")
    assert progress["skipped_batches"] == 2  # the batch holding it, once per epoch
    assert progress["skipped_steps"] == 2
    state = load_checkpoint(tmp_path / "exp" / "final.pt")
    assert all(torch.isfinite(v).all() for v in state.values() if v.is_floating_point())


def test_whole_epoch_non_finite_names_utterances(tmp_path):
    utts = {u: (np.full_like(m, np.inf), t) for u, (m, t) in digit_utts(6, 0).items()}
    utts.update(digit_utts(1, 3, prefix="ok"))  # keeps the CMVN stats finite
    train = write_feats_dir(tmp_path / "train", utts)
    dev = write_feats_dir(tmp_path / "dev", digit_utts(4, 1, prefix="dev"))
    config = tiny_config(max_frames_per_batch=10_000)  # a single batch: every step non-finite
    with pytest.raises(TrainingError, match=r"epoch 1: .*spk0_000"):
        _train(config, train, dev, tmp_path / "exp")


def test_non_finite_gradient_skips_the_step(feats_dirs, tmp_path, monkeypatch):
    import asr.train.trainer as trainer_module

    build = trainer_module.build_model
    backward_calls = [0]

    def build_with_bad_gradient(config):
        model = build(config)

        def poison(grad):  # a NaN gradient in the second backward pass only
            backward_calls[0] += 1
            return grad * float("nan") if backward_calls[0] == 2 else grad

        next(model.parameters()).register_hook(poison)
        return model

    monkeypatch.setattr(trainer_module, "build_model", build_with_bad_gradient)
    train, dev = feats_dirs
    progress = _train(tiny_config(), train, dev, tmp_path / "exp")
    assert backward_calls[0] > 2
    assert progress["skipped_batches"] == 0 and progress["skipped_steps"] == 1
    state = load_checkpoint(tmp_path / "exp" / "final.pt")
    assert all(torch.isfinite(v).all() for v in state.values() if v.is_floating_point())
