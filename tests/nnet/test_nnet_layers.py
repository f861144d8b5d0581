"""MaskedBatchNorm1d against torch's BatchNorm1d on the valid frames only."""

from __future__ import annotations

import pytest
import torch

from asr.nnet.layers import FeedForward, MaskedBatchNorm1d


def test_training_statistics_use_valid_frames_only() -> None:
    torch.manual_seed(0)
    lengths = [7, 3, 5]
    x = 50.0 * torch.randn(3, 4, 7)  # (B, C, T); padding is large garbage
    mask = torch.arange(7)[None, :] < torch.tensor(lengths)[:, None]
    ours = MaskedBatchNorm1d(4)
    ref = torch.nn.BatchNorm1d(4)
    with torch.no_grad():
        ours.weight.uniform_(0.5, 2.0)
        ours.bias.normal_()
        ref.weight.copy_(ours.weight)
        ref.bias.copy_(ours.bias)
    valid = torch.cat([x[b, :, :n] for b, n in enumerate(lengths)], dim=1)[None]  # (1, C, sum T)
    y = ours.train()(x, mask)
    y_ref = ref.train()(valid)[0]
    torch.testing.assert_close(torch.cat([y[b, :, :n] for b, n in enumerate(lengths)], dim=1), y_ref)
    torch.testing.assert_close(ours.running_mean, ref.running_mean)
    torch.testing.assert_close(ours.running_var, ref.running_var)
    # eval: running statistics, frame by frame
    torch.testing.assert_close(ours.eval()(x, mask), ref.eval()(x))


def test_needs_two_valid_frames_in_training() -> None:
    with pytest.raises(ValueError, match="2 valid frames"):
        MaskedBatchNorm1d(2).train()(torch.randn(1, 2, 3), torch.tensor([[True, False, False]]))


def test_feedforward_rejects_unknown_activation() -> None:
    with pytest.raises(ValueError, match="activation"):
        FeedForward(4, 8, activation="tanh")
