"""Padding and causal masks. Convention: ``True`` marks a *valid* position."""

from __future__ import annotations

import torch

__all__ = ["valid_mask", "causal_mask", "check_lengths"]


def valid_mask(lengths: torch.Tensor, max_len: int | None = None) -> torch.Tensor:
    """Frames inside each sequence.

    Args:
        lengths (Tensor): ``(B,)`` integer lengths.
        max_len (int or None): mask width; ``lengths.max()`` when ``None``. (Default: ``None``)

    Returns:
        Tensor: ``(B, max_len)`` bool, ``True`` where ``t < lengths[b]``.
    """
    if max_len is None:
        max_len = int(lengths.max())
    return torch.arange(max_len, device=lengths.device)[None, :] < lengths[:, None]


def causal_mask(size: int, device: torch.device | None = None) -> torch.Tensor:
    """``(size, size)`` bool, ``True`` where key ``j <= `` query ``i`` (no look-ahead)."""
    return torch.ones(size, size, dtype=torch.bool, device=device).tril()


def check_lengths(x: torch.Tensor, lengths: torch.Tensor) -> None:
    """Raise ``ValueError`` unless ``lengths`` is ``(B,)`` with ``1 <= lengths <= x.size(1)``.

    Args:
        x (Tensor): ``(B, T, ...)`` padded batch.
        lengths (Tensor): ``(B,)`` integer lengths.
    """
    if lengths.dim() != 1 or lengths.size(0) != x.size(0):
        raise ValueError(f"lengths must have shape ({x.size(0)},), got {tuple(lengths.shape)}")
    if lengths.dtype.is_floating_point:
        raise ValueError(f"lengths must be integers, got {lengths.dtype}")
    if torch.jit.is_tracing() or lengths.numel() == 0:
        return
    low, high = int(lengths.min()), int(lengths.max())
    if low < 1 or high > x.size(1):
        raise ValueError(f"lengths must lie in [1, {x.size(1)}], got min {low}, max {high}")
