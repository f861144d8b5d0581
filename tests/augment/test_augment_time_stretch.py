"""Time stretch: linear interpolation checked against numpy, rate bounds, the fits veto,
zero padding and reproducibility."""

import numpy as np
import pytest
import torch

from asr.augment import TimeStretch


def _ramp_batch(lengths, dim=3):
    """Frame t of utterance b holds t + 100 b in every bin (a ramp); zero padding."""
    t = max(lengths)
    feats = torch.zeros(len(lengths), t, dim)
    for b, n in enumerate(lengths):
        feats[b, :n] = (torch.arange(n, dtype=torch.float32) + 100 * b)[:, None]
    return feats, torch.tensor(lengths)


def test_frames_interpolate_linearly_and_padding_stays_zero():
    torch.manual_seed(0)
    feats, lengths = _ramp_batch([40, 17, 25, 2])
    out, new = TimeStretch(0.7, 1.4)(feats, lengths)
    assert out.shape[1] == int(new.max())
    assert not torch.equal(new, lengths)
    for b, (n, m) in enumerate(zip(lengths.tolist(), new.tolist())):
        assert round(0.7 * n) - 1 <= m <= round(1.4 * n) + 1
        expected = np.linspace(0, n - 1, m) + 100 * b  # a ramp resampled is a ramp
        np.testing.assert_allclose(out[b, :m, 0].numpy(), expected, atol=1e-4)
        assert (out[b, m:] == 0).all()


def test_rate_one_and_prob_zero_are_identity():
    feats, lengths = _ramp_batch([12, 30])
    feats = feats + torch.randn_like(feats) * (feats != 0)
    for stretch in (TimeStretch(1.0, 1.0), TimeStretch(0.5, 2.0, prob=0.0)):
        out, new = stretch(feats, lengths)
        assert torch.equal(new, lengths) and torch.equal(out, feats)


def test_rates_span_the_range_and_are_reproducible():
    feats, lengths = _ramp_batch([100] * 200, dim=1)
    torch.manual_seed(3)
    _, new = TimeStretch(0.8, 1.25)(feats, lengths)
    assert new.min() <= 82 and new.max() >= 123 and 80 <= new.min() and new.max() <= 125
    assert (new < 100).sum() > 60 and (new > 100).sum() > 60  # log-uniform: as many squeezed as stretched
    torch.manual_seed(3)
    assert torch.equal(TimeStretch(0.8, 1.25)(feats, lengths)[1], new)


def test_an_utterance_that_would_not_fit_keeps_its_length():
    torch.manual_seed(1)
    feats, lengths = _ramp_batch([50, 50, 50, 50])
    out, new = TimeStretch(0.5, 1.0)(feats, lengths, fits=lambda n: n >= torch.tensor([0, 0, 60, 60]))
    assert (new[:2] < 45).all() and new[2:].tolist() == [50, 50]
    assert torch.equal(out[2:, :50], feats[2:])


@pytest.mark.parametrize("args", [(0.0, 1.2), (1.1, 1.2), (0.8, 0.9), (0.8, 1.2, 1.5)])
def test_bad_arguments(args):
    with pytest.raises(ValueError, match="time stretch"):
        TimeStretch(*args)
