"""Feature mixup (Zhang et al., 2018) for sequence models: mix two utterances' features
and interpolate their losses with the same weight."""

from __future__ import annotations

import torch

__all__ = ["mixup_batch"]


def mixup_batch(
    feats: torch.Tensor, lengths: torch.Tensor, alpha: float = 0.2
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, float]:
    """Mix each utterance with another of the batch.

    ``mixed = lam * feats + (1 - lam) * feats[perm]`` with ``lam ~ Beta(alpha, alpha)``
    folded to ``lam >= 0.5`` (so the first utterance dominates); the mixed length is the
    longer of the two (padding is zero, so the shorter one just ends early). Train with
    ``lam * loss(targets) + (1 - lam) * loss(targets[perm])``. Random numbers come from
    torch's global generator.

    Args:
        feats (Tensor): ``(B, T, D)`` padded features.
        lengths (Tensor): ``(B,)`` valid frames.
        alpha (float): Beta distribution parameter, positive. (Default: ``0.2``)

    Returns:
        (Tensor, Tensor, Tensor, float): mixed ``(B, T, D)`` features, ``(B,)`` mixed
        lengths, ``(B,)`` permutation, and ``lam``.
    """
    if alpha <= 0.0:
        raise ValueError(f"mixup alpha must be positive, got {alpha}")
    lam = float(torch.distributions.Beta(alpha, alpha).sample())
    lam = max(lam, 1.0 - lam)
    perm = torch.randperm(feats.size(0))
    mixed = lam * feats + (1.0 - lam) * feats[perm.to(feats.device)]
    return mixed, torch.maximum(lengths, lengths[perm.to(lengths.device)]), perm, lam
