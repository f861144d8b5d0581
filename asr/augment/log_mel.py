"""Changing chosen utterances of a CMVN-normalized log-mel batch in the raw log-mel domain,
shared by the feature-domain noise and reverberation."""

from __future__ import annotations

from typing import Callable

import torch

__all__ = ["transform_log_mel"]


def _moved_stats(raw: torch.Tensor, changed: torch.Tensor, valid: torch.Tensor, mean: torch.Tensor,
                 std: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(B, 1, D)`` speaker mean and standard deviation moved by the change made to each
    utterance's per-bin mean and variance over its ``(B, T)`` valid frames."""
    weight = valid[..., None].float()
    frames = weight.sum(1, keepdim=True).clamp(min=1.0)

    def moments(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        m = (x * weight).sum(1, keepdim=True) / frames
        return m, (((x - m) * weight) ** 2).sum(1, keepdim=True) / frames

    (m_raw, v_raw), (m_new, v_new) = moments(raw), moments(changed)
    var = torch.maximum(std ** 2 + v_new - v_raw, 0.01 * std ** 2)
    return mean + m_new - m_raw, var.sqrt()


def transform_log_mel(feats: torch.Tensor, lengths: torch.Tensor, chosen: torch.Tensor, mean: torch.Tensor,
                      std: torch.Tensor, speaker_stats: tuple[torch.Tensor, torch.Tensor] | None,
                      transform: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> torch.Tensor:
    """Apply ``transform`` to the raw log-mel frames of the ``chosen`` utterances.

    Args:
        feats (Tensor): ``(B, T, D)`` padded features, normalized with ``mean`` and ``std``
            (``(D,)``) or, when given, with ``speaker_stats`` (``(B, D)`` mean and standard
            deviation per utterance: its speaker's).
        lengths (Tensor): ``(B,)`` valid frames per utterance.
        chosen (Tensor): ``(B,)`` bool, the utterances to change.
        transform: maps ``(B, T, D)`` float32 raw log-mel and the ``(B, T)`` valid-frame mask
            to changed raw log-mel of the same shape.

    Returns:
        Tensor: ``(B, T, D)``, the chosen utterances replaced and normalized again (with
        speaker stats: moved as the change moves each utterance's own mean and variance, as
        a speaker recorded that way would have them estimated), padding untouched.
    """
    device, dtype = feats.device, feats.dtype
    mean, std = mean.to(device), std.to(device)
    if speaker_stats is not None:
        mean, std = (x.to(device, torch.float32)[:, None, :] for x in speaker_stats)
    raw = feats.float() * std + mean
    valid = (torch.arange(feats.size(1))[None, :] < lengths.cpu()[:, None]).to(device)
    changed = transform(raw, valid)
    if speaker_stats is not None:
        mean, std = _moved_stats(raw, changed, valid, mean, std)
    changed = (changed - mean) / std
    keep = (~chosen.to(device))[:, None, None] | ~valid[..., None]
    return torch.where(keep, feats, changed.to(dtype))
