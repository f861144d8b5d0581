"""SpecAugment (Park et al., 2019): frequency and time masks on padded feature batches.

Masks are drawn per utterance inside its valid frames only, so the padding stays zero and
a short utterance never loses more than ``max_time_ratio`` of itself per mask. Random
numbers come from torch's global generator (saved in checkpoints for exact resume).
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["SpecAugment"]


class SpecAugment(nn.Module):
    """Zero random frequency bands and time spans of each utterance.

    Args:
        num_freq_masks (int): frequency masks per utterance. (Default: ``2``)
        max_freq_width (int): widest frequency mask, in bins. (Default: ``8``)
        num_time_masks (int): time masks per utterance. (Default: ``2``)
        max_time_width (int): widest time mask, in frames. (Default: ``10``)
        max_time_ratio (float): a time mask covers at most this fraction of the
            utterance's valid frames. (Default: ``0.1``)
    """

    def __init__(
        self,
        num_freq_masks: int = 2,
        max_freq_width: int = 8,
        num_time_masks: int = 2,
        max_time_width: int = 10,
        max_time_ratio: float = 0.1,
    ) -> None:
        super().__init__()
        if min(num_freq_masks, max_freq_width, num_time_masks, max_time_width) < 0:
            raise ValueError("SpecAugment mask counts and widths must be non-negative")
        if not 0.0 <= max_time_ratio <= 1.0:
            raise ValueError(f"max_time_ratio must lie in [0, 1], got {max_time_ratio}")
        self.num_freq_masks = num_freq_masks
        self.max_freq_width = max_freq_width
        self.num_time_masks = num_time_masks
        self.max_time_width = max_time_width
        self.max_time_ratio = max_time_ratio

    @staticmethod
    def _spans(count: int, max_width: torch.Tensor, size: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(B, count)`` starts and ends of masks of width ``U[0, max_width]`` inside ``[0, size)``."""
        b = size.size(0)
        width = (torch.rand(b, count) * (max_width[:, None] + 1).float()).floor().long()
        start = (torch.rand(b, count) * (size[:, None] - width + 1).clamp(min=1).float()).floor().long()
        return start, start + width

    def forward(self, feats: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """``(B, T, D)`` features and ``(B,)`` valid lengths -> masked copy ``(B, T, D)``.
        Identity in eval mode."""
        if not self.training:
            return feats
        b, t, d = feats.shape
        lengths = lengths.cpu()
        keep = torch.ones(b, t, d, dtype=torch.bool)
        valid = torch.arange(t)[None, :] < lengths[:, None]  # (B, T)
        if self.num_freq_masks and self.max_freq_width:
            width = torch.full((b,), min(self.max_freq_width, d))
            start, end = self._spans(self.num_freq_masks, width, torch.full((b,), d))
            bins = torch.arange(d)[None, None, :]
            hit = ((bins >= start[..., None]) & (bins < end[..., None])).any(dim=1)  # (B, D)
            keep &= ~(hit[:, None, :] & valid[:, :, None])
        if self.num_time_masks and self.max_time_width:
            width = torch.minimum(torch.full((b,), self.max_time_width), (lengths * self.max_time_ratio).long())
            start, end = self._spans(self.num_time_masks, width, lengths)
            frames = torch.arange(t)[None, None, :]
            hit = ((frames >= start[..., None]) & (frames < end[..., None])).any(dim=1)  # (B, T)
            keep &= ~hit[:, :, None]
        return feats * keep.to(feats.device, feats.dtype)
