"""Dropout that is cheap on the CPU.

``torch.nn.Dropout`` on the CPU draws one random number per element from the global
generator, a sequential Mersenne Twister that no thread count speeds up: in the FSDD
conformer's training it took a fifth of the epoch. Here one full-range 64-bit draw serves
four elements (16 random bits each), which runs about 2-3x faster. The drop probability is
rounded to a multiple of 1/65536 and the kept elements are scaled by the exact inverse of
the keep probability, so the output stays unbiased. Other devices use ``torch``'s own.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["Dropout"]

_LEVELS = 1 << 16


class Dropout(nn.Module):
    """Drop-in replacement for :class:`torch.nn.Dropout` (same arguments, same behaviour).

    Args:
        p (float): probability of zeroing an element during training. (Default: ``0.5``)
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability must lie in [0, 1], got {p}")
        self.p = p
        self.dropped_levels = round(p * _LEVELS)

    def extra_repr(self) -> str:
        return f"p={self.p}"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` of any shape; returns the same shape."""
        if not self.training or self.p == 0.0:
            return x
        if x.device.type != "cpu" or self.dropped_levels == _LEVELS:
            return F.dropout(x, self.p, training=True)
        n = x.numel()
        # random_(-2**63, None) fills all 64 bits (plain random_() leaves the sign bit 0)
        draws = torch.empty((n + 3) // 4, dtype=torch.int64).random_(-(1 << 63), None)
        bits = draws.view(torch.int16)[:n].view(x.shape)  # uniform over [-32768, 32767]
        keep = bits >= self.dropped_levels - _LEVELS // 2
        scale = _LEVELS / (_LEVELS - self.dropped_levels)
        return x * (keep.to(x.dtype) * scale)
