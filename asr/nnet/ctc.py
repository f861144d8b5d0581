"""CTC head: a linear layer to token log-probabilities, and the CTC loss."""

from __future__ import annotations

import math

from typing import Sequence

import torch
from torch import nn

from asr.nnet.dropout import Dropout

__all__ = ["CTCHead", "ctc_consistency_loss", "ctc_required_frames"]


def ctc_required_frames(tokens: Sequence[int]) -> int:
    """Fewest frames a CTC alignment of ``tokens`` needs: one per token, plus a blank
    between each pair of equal adjacent tokens (``T H R E E`` needs 6)."""
    return len(tokens) + sum(a == b for a, b in zip(tokens, tokens[1:]))


def ctc_consistency_loss(log_probs: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Consistency of two views of one batch (CR-CTC, Yao et al., 2024): rows ``i`` and
    ``i + B`` of ``(2B, T, V)`` CTC log-probabilities are the same utterance, augmented
    apart. Each view's per-frame distribution is pulled towards the other's, taken as a
    fixed target: ``(KL(sg(b) || a) + KL(sg(a) || b)) / 2`` summed over valid frames and
    divided by ``B``, the scale of :meth:`CTCHead.loss`.
    """
    if log_probs.size(0) % 2 or not torch.equal(lengths[: lengths.size(0) // 2], lengths[lengths.size(0) // 2:]):
        raise ValueError("consistency loss: the batch must be two views of the same utterances")
    a, b = log_probs.chunk(2)
    valid = torch.arange(a.size(1), device=a.device)[None, :] < lengths[: a.size(0), None]
    fixed_a, fixed_b = a.detach(), b.detach()
    per_frame = 0.5 * ((fixed_b.exp() * (fixed_b - a)).sum(-1) + (fixed_a.exp() * (fixed_a - b)).sum(-1))
    return per_frame.masked_fill(~valid, 0.0).sum() / a.size(0)


class CTCHead(nn.Module):
    """Projects encoder output to ``vocab_size`` log-probabilities and computes the CTC loss.

    Args:
        input_dim (int): encoder output dimension ``H``.
        vocab_size (int): number of output units ``V``, blank included.
        blank_id (int): index of the blank unit. (Default: ``0``)
        dropout (float): dropout on the encoder output before the projection. (Default: ``0.0``)
        blank_init_prob (float or None): start with the blank's probability near this value
            (the other biases zero, the blank's ``log(p (V - 1) / (1 - p))``); ``None`` keeps
            the default initialization. (Default: ``None``)
    """

    def __init__(self, input_dim: int, vocab_size: int, blank_id: int = 0, dropout: float = 0.0,
                 blank_init_prob: float | None = None) -> None:
        super().__init__()
        if vocab_size < 2:
            raise ValueError(f"CTC vocab_size must be at least 2 (blank and one unit), got {vocab_size}")
        if not 0 <= blank_id < vocab_size:
            raise ValueError(f"CTC blank_id must lie in [0, {vocab_size}), got {blank_id}")
        self.blank_id = blank_id
        self.dropout = Dropout(dropout)
        self.linear = nn.Linear(input_dim, vocab_size)
        if blank_init_prob is not None:
            if not 0.0 < blank_init_prob < 1.0:
                raise ValueError(f"ctc_blank_init_prob must lie in (0, 1), got {blank_init_prob}")
            # Starting blank-dominated, CTC places each label's spike on the frames that tell
            # it apart; from uniform outputs a small corpus can stall with labels spread over
            # whole utterances (yes/no: see README "Benchmarks").
            with torch.no_grad():
                self.linear.bias.zero_()
                self.linear.bias[blank_id] = math.log(blank_init_prob * (vocab_size - 1) / (1.0 - blank_init_prob))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, T, H)`` -> ``(B, T, V)`` float32 log-probabilities (float32 also under autocast)."""
        return torch.log_softmax(self.linear(self.dropout(x)).float(), dim=-1)

    def loss(
        self,
        log_probs: torch.Tensor,
        lengths: torch.Tensor,
        targets: torch.Tensor,
        target_lengths: torch.Tensor,
    ) -> torch.Tensor:
        """CTC negative log-likelihood summed over the batch and divided by the batch size.

        Args:
            log_probs (Tensor): ``(B, T, V)`` from :meth:`forward`.
            lengths (Tensor): ``(B,)`` valid frames.
            targets (Tensor): ``(B, U)`` token ids, padded with any value past ``target_lengths``.
            target_lengths (Tensor): ``(B,)`` tokens per utterance.

        Returns:
            Tensor: scalar loss; ``inf`` when an utterance has fewer frames than
            :func:`ctc_required_frames` (the trainer skips such steps and reports them).
        """
        targets = targets.masked_fill(targets < 0, self.blank_id)  # padding may be -1
        nll = nn.functional.ctc_loss(
            log_probs.transpose(0, 1),
            targets,
            lengths,
            target_lengths,
            blank=self.blank_id,
            reduction="sum",
            zero_infinity=False,
        )
        return nll / log_probs.size(0)
