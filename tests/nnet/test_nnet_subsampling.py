"""Conv2d subsampling: output lengths ceil(L / rate), shapes, argument checks."""

from __future__ import annotations

import math

import pytest
import torch

from asr.nnet.subsampling import Conv2dSubsampling


@pytest.mark.parametrize("rate", [1, 2, 4, 6, 8])
def test_output_lengths_are_ceil(rate: int) -> None:
    sub = Conv2dSubsampling(23, 16, rate=rate, channels=4)
    lengths = torch.arange(1, 40)
    expected = torch.tensor([math.ceil(n / rate) for n in range(1, 40)])
    assert torch.equal(sub.output_lengths(lengths), expected)
    for n in (1, 7, 12, 39):
        out, out_len = sub(torch.randn(1, n, 23), torch.tensor([n]))
        assert out.shape == (1, math.ceil(n / rate), 16)
        assert int(out_len) == math.ceil(n / rate)


def test_shortest_fsdd_utterance_keeps_enough_frames_at_rate_2() -> None:
    """~12 frames (0.14 s): rate 2 leaves 6 (THREE in characters needs 6), rate 4 only 3."""
    n = torch.tensor([12])
    assert int(Conv2dSubsampling(80, 8, rate=2).output_lengths(n)) == 6
    assert int(Conv2dSubsampling(80, 8, rate=4).output_lengths(n)) == 3


@pytest.mark.parametrize("kwargs", [dict(rate=3), dict(rate=0), dict(input_dim=0)])
def test_bad_arguments(kwargs: dict) -> None:
    args = dict(input_dim=80, output_dim=16, rate=4) | kwargs
    with pytest.raises(ValueError):
        Conv2dSubsampling(**args)
