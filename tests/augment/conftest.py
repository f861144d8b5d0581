"""Shared fixture of the feature-augmentation tests."""

import pytest
import torch


@pytest.fixture
def own_speaker_batch():
    """Two utterances, each its own 'speaker', normalized with its own per-bin mean and
    standard deviation: ``(feats (2, 40, 23), lengths, mean (2, 23), std (2, 23))``,
    padding zero."""
    torch.manual_seed(1)
    lengths = torch.tensor([40, 25])
    raw = torch.randn(2, 40, 23) * torch.linspace(1, 3, 23) + torch.linspace(5, 15, 23)
    valid = (torch.arange(40)[None, :] < lengths[:, None])[..., None]
    mean = torch.stack([raw[b, :n].mean(0) for b, n in enumerate(lengths.tolist())])
    std = torch.stack([raw[b, :n].std(0, unbiased=False) for b, n in enumerate(lengths.tolist())])
    feats = torch.where(valid, (raw - mean[:, None]) / std[:, None], torch.zeros(()))
    return feats, lengths, mean, std
