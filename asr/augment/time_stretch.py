"""Tempo perturbation on feature batches: each utterance's frames resampled in time.

Unlike speed perturbation (resampling the audio, which also shifts the spectrum), a time
stretch changes only how long the speech lasts, as a faster or slower talker would. The
rate of each utterance is drawn log-uniformly from ``[min_rate, max_rate]`` (rate 1.25:
1.25x as many frames); new frames interpolate linearly between their two nearest
original frames, and padding stays zero. Random numbers come from torch's global
generator (saved in checkpoints for exact resume).
"""

from __future__ import annotations

import math
from typing import Callable

import torch

__all__ = ["TimeStretch"]


class TimeStretch:
    """Stretch or squeeze each utterance of a padded batch in time.

    Args:
        min_rate (float): shortest result, as a fraction of the original length. (Default: ``0.8``)
        max_rate (float): longest result, as a multiple of the original length. (Default: ``1.25``)
        prob (float): fraction of utterances stretched; the rest keep their length. (Default: ``1.0``)
    """

    def __init__(self, min_rate: float = 0.8, max_rate: float = 1.25, prob: float = 1.0) -> None:
        if not 0.0 < min_rate <= 1.0 <= max_rate:
            raise ValueError(f"time stretch needs 0 < min_rate <= 1 <= max_rate, got {min_rate}, {max_rate}")
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f"time stretch prob must lie in [0, 1], got {prob}")
        self.min_rate, self.max_rate, self.prob = min_rate, max_rate, prob

    def __call__(self, feats: torch.Tensor, lengths: torch.Tensor,
                 fits: Callable[[torch.Tensor], torch.Tensor] | None = None
                 ) -> tuple[torch.Tensor, torch.Tensor]:
        """
        Args:
            feats (Tensor): ``(B, T, D)`` padded features.
            lengths (Tensor): ``(B,)`` valid frames per utterance.
            fits (callable, optional): ``(B,)`` new lengths -> ``(B,)`` bool, whether each
                utterance may have that length (e.g. enough frames for its labels after
                subsampling); one that may not keeps its own length.

        Returns:
            (Tensor, Tensor): ``(B, T2, D)`` stretched features, zero beyond the ``(B,)``
            new lengths.
        """
        device = lengths.device
        lengths = lengths.cpu()
        b = lengths.size(0)
        log_rate = torch.empty(b).uniform_(math.log(self.min_rate), math.log(self.max_rate))
        stretched = (torch.rand(b) < self.prob) & (lengths > 1)  # one frame has nothing to stretch
        new = torch.where(stretched, (lengths * log_rate.exp()).round().long().clamp(min=2), lengths)
        if fits is not None:
            new = torch.where(fits(new.to(device)).cpu(), new, lengths)
        t2 = int(new.max())
        j = torch.arange(t2, dtype=torch.float64)[None, :]
        # frame j of the result sits at position j * (L - 1) / (L2 - 1) of the original
        pos = j * ((lengths - 1) / (new - 1).clamp(min=1)).double()[:, None]
        pos = torch.minimum(pos, (lengths - 1).double()[:, None])
        lo = pos.floor().long()
        hi = torch.minimum(lo + 1, (lengths - 1)[:, None])
        frac = (pos - lo.double()).to(feats.device, feats.dtype)[..., None]
        index = torch.stack([lo, hi]).to(feats.device)[..., None].expand(-1, -1, -1, feats.size(2))
        low, high = (torch.gather(feats, 1, i) for i in index)
        valid = (j < new[:, None]).to(feats.device, feats.dtype)[..., None]
        return (low * (1 - frac) + high * frac) * valid, new.to(device)
