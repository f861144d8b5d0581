"""SpecAugment-style masking of a feature batch (Park et al. 2019, without time warping).

Masked values are set to 0, the mean of the normalized features the network sees.
"""

from __future__ import annotations

import torch

__all__ = ["spec_augment"]


def spec_augment(x: torch.Tensor, freq_masks: int = 2, freq_width: int = 8, time_masks: int = 2,
                 time_width: int = 5, generator: torch.Generator | None = None) -> torch.Tensor:
    """Zero random frequency bands and time spans, independently per utterance.

    Args:
        x (Tensor): ``(B, T, D)`` features.
        freq_masks (int): bands per utterance, each ``0..freq_width`` bins wide. (Default: ``2``)
        freq_width (int): (Default: ``8``)
        time_masks (int): spans per utterance, each ``0..time_width`` frames long. (Default: ``2``)
        time_width (int): (Default: ``5``)
        generator (torch.Generator or None): random source. (Default: ``None``)

    Returns:
        Tensor: a masked copy of ``x``.
    """
    if min(freq_masks, freq_width, time_masks, time_width) < 0:
        raise ValueError("mask counts and widths must be >= 0")
    b, t, d = x.shape
    keep = torch.ones(b, t, d, dtype=torch.bool)
    for size, count, width, dim in ((d, freq_masks, freq_width, 2), (t, time_masks, time_width, 1)):
        pos = torch.arange(size)
        for _ in range(count):
            w = torch.randint(0, min(width, size) + 1, (b,), generator=generator)
            start = (torch.rand(b, generator=generator) * (size - w + 1)).long()
            band = (pos[None, :] >= start[:, None]) & (pos[None, :] < (start + w)[:, None])
            keep &= ~(band[:, None, :] if dim == 2 else band[:, :, None])
    return x * keep.to(x.dtype)
