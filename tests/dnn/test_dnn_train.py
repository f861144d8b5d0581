"""The training loop: learns a synthetic frame task, keeps the best dev epoch, stops
loudly on a NaN loss naming the batch's utterances; SpecAugment masks."""

import numpy as np
import pytest
import torch

from asr.dnn.frames import FrameData
from asr.dnn.specaug import spec_augment
from asr.dnn.train import DnnConfig, TrainingDivergedError, train_dnn
from asr.features.cmvn import cmvn_stats

SMALL = dict(hidden_dim=16, layers=[[3, 1], [3, 1]], dropout=0.0, batch_frames=200,
             freq_masks=0, time_masks=0, lr=0.01)


def synthetic(n: int, seed: int) -> FrameData:
    """Frames whose pdf (0..2) is written in the features: pdf k raises dimension k."""
    rng = np.random.default_rng(seed)
    data = FrameData([], [], [])
    for i in range(n):
        pdfs = np.repeat(rng.integers(0, 3, size=4), 5)
        feats = rng.normal(0, 0.3, size=(20, 3)).astype(np.float32)
        feats[np.arange(20), pdfs] += 2.0
        data.utts.append(f"s{seed}_{i:02d}")
        data.feats.append(feats)
        data.pdfs.append(pdfs.astype(np.int64))
    return data


def test_learns_and_keeps_the_best_dev_epoch(tmp_path):
    net, config, stats, history = train_dnn(synthetic(30, 0), synthetic(10, 1), 3,
                                            DnnConfig(num_epochs=4, **SMALL), tmp_path)
    assert [r["epoch"] for r in history] == [1, 2, 3, 4]
    assert max(r["dev_acc"] for r in history) > 0.9
    assert all((tmp_path / f"epoch-{e}.pt").is_file() for e in range(1, 5))
    best = max(history, key=lambda r: r["dev_acc"])["epoch"]
    saved = torch.load(tmp_path / "best-valid.pt", weights_only=True)["state_dict"]
    by_epoch = torch.load(tmp_path / f"epoch-{best}.pt", weights_only=True)["state_dict"]
    assert all(torch.equal(saved[k], by_epoch[k]) for k in saved)
    assert all(torch.equal(saved[k], v) for k, v in net.state_dict().items())
    assert config["num_pdfs"] == 3 and stats.shape == (2, 4)


def test_average_last_is_the_mean_of_the_last_epochs(tmp_path):
    net, _, _, _ = train_dnn(synthetic(30, 0), synthetic(10, 1), 3,
                             DnnConfig(num_epochs=4, average_last=2, **SMALL), tmp_path)
    e3, e4 = (torch.load(tmp_path / f"epoch-{e}.pt", weights_only=True)["state_dict"] for e in (3, 4))
    got = net.state_dict()
    assert any(not torch.equal(e3[k], e4[k]) for k in e3 if e3[k].is_floating_point())
    for key, value in got.items():
        if value.is_floating_point():
            torch.testing.assert_close(value, (e3[key] + e4[key]) / 2)
    with pytest.raises(ValueError, match="average_last"):
        DnnConfig(num_epochs=4, average_last=5).check()


def test_nan_loss_names_the_batch(tmp_path):
    train = synthetic(6, 0)
    stats = cmvn_stats(train.feats)
    train.feats[4][7, 1] = np.nan
    # 20-frame utterances, 20-frame batches: one utterance per batch
    config = DnnConfig(num_epochs=1, **{**SMALL, "batch_frames": 20})
    with pytest.raises(TrainingDivergedError, match=r"loss is nan on the batch of utterances "
                                                    r"s0_04 \("):
        train_dnn(train, synthetic(2, 1), 3, config, tmp_path, input_stats=stats)


def test_spec_augment_masks_bands_and_spans():
    x = torch.ones(4, 30, 20)
    gen = torch.Generator().manual_seed(0)
    y = spec_augment(x, freq_masks=1, freq_width=5, time_masks=1, time_width=4, generator=gen)
    assert y.shape == x.shape and set(y.unique().tolist()) <= {0.0, 1.0}
    for b in range(4):
        zero_bins = (y[b] == 0).all(0).sum().item()
        zero_frames = (y[b] == 0).all(1).sum().item()
        assert zero_bins <= 5 and zero_frames <= 4
        # every zero lies in a masked band or span
        assert ((y[b] == 0) <= ((y[b] == 0).all(0)[None, :] | (y[b] == 0).all(1)[:, None])).all()
    assert torch.equal(spec_augment(x, 0, 5, 0, 4), x)
