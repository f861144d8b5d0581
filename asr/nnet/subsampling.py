"""Convolutional frame-rate reduction in front of an encoder.

Each layer is a ``Conv2d`` over (time, frequency) with a time stride ``s`` and "same"
time padding, so a sequence of ``L`` frames becomes ``ceil(L / s)`` frames and the
whole stack gives ``ceil(L / rate)``. Padded frames are zeroed before every layer, so the
valid outputs of a padded batch equal those of each utterance alone.

Choosing the rate: a CTC model needs at least as many output frames as labels, plus one
per pair of repeated adjacent labels. FSDD recordings are trimmed tight (the shortest is
0.14 s, about 12 frames at a 10 ms shift), so 4x leaves about 3 frames where "THREE" in
characters needs 6: use rate 2 (or 1) with character units on short utterances, 4 for
longer speech or word-piece units.
"""

from __future__ import annotations

import torch
from torch import nn

from asr.nnet.masking import check_lengths, valid_mask

__all__ = ["Conv2dSubsampling", "SubsampledEncoder", "SUBSAMPLING_STRIDES"]

#: Time strides of the conv layers for each supported rate (every layer halves frequency).
SUBSAMPLING_STRIDES: dict[int, tuple[int, ...]] = {1: (1, 1), 2: (2, 1), 4: (2, 2), 6: (2, 3), 8: (2, 2, 2)}


class Conv2dSubsampling(nn.Module):
    """Conv2d + ReLU layers, then a linear projection to ``output_dim``.

    Args:
        input_dim (int): feature dimension ``D`` of the input.
        output_dim (int): dimension ``H`` of the output frames.
        rate (int): time subsampling factor, one of 1, 2, 4, 6, 8. (Default: ``4``)
        channels (int): conv channels; ``output_dim`` when ``None``. (Default: ``None``)
    """

    def __init__(self, input_dim: int, output_dim: int, rate: int = 4, channels: int | None = None) -> None:
        super().__init__()
        if rate not in SUBSAMPLING_STRIDES:
            raise ValueError(f"subsampling rate must be one of {sorted(SUBSAMPLING_STRIDES)}, got {rate}")
        if input_dim < 1 or output_dim < 1:
            raise ValueError(f"input_dim and output_dim must be positive, got {input_dim}, {output_dim}")
        channels = output_dim if channels is None else channels
        self.rate = rate
        self.strides = SUBSAMPLING_STRIDES[rate]
        self.convs = nn.ModuleList()
        freq, in_ch = input_dim, 1
        for stride in self.strides:
            kernel = 5 if stride == 3 else 3
            self.convs.append(nn.Conv2d(in_ch, channels, (kernel, 3), stride=(stride, 2), padding=(kernel // 2, 1)))
            freq, in_ch = (freq + 1) // 2, channels
        self.out = nn.Linear(channels * freq, output_dim)

    def output_lengths(self, lengths: torch.Tensor) -> torch.Tensor:
        """``(B,)`` output frame counts ``ceil(lengths / rate)`` for ``(B,)`` input lengths."""
        for stride in self.strides:
            lengths = torch.div(lengths + stride - 1, stride, rounding_mode="floor")
        return lengths

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """
        Args:
            x (Tensor): ``(B, T, D)`` padded features.
            lengths (Tensor): ``(B,)`` valid frames per utterance.

        Returns:
            (Tensor, Tensor): ``(B, T', H)`` with ``T' = ceil(T / rate)``, and ``(B,)`` output lengths.
        """
        h = x.unsqueeze(1)  # (B, 1, T, D)
        for conv, stride in zip(self.convs, self.strides):
            h = h * valid_mask(lengths, h.size(2))[:, None, :, None].to(h.dtype)
            h = torch.relu(conv(h))
            lengths = torch.div(lengths + stride - 1, stride, rounding_mode="floor")
        b, c, t, f = h.shape
        h = self.out(h.transpose(1, 2).reshape(b, t, c * f))
        return h, lengths


class SubsampledEncoder(nn.Module):
    """What every encoder shares: :class:`Conv2dSubsampling` first, then the encoder's own
    layers (``_encode``) on the shorter sequence. Subclasses set ``self.subsampling`` and
    ``self.output_size`` and implement ``_encode``.
    """

    subsampling: Conv2dSubsampling
    output_size: int

    def output_lengths(self, lengths: torch.Tensor) -> torch.Tensor:
        """``(B,)`` encoder output lengths for ``(B,)`` input lengths."""
        return self.subsampling.output_lengths(lengths)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """
        Args:
            x (Tensor): ``(B, T, D)`` padded features.
            lengths (Tensor): ``(B,)`` valid frames per utterance.

        Returns:
            (Tensor, Tensor): ``(B, T', output_size)`` output, zero on padded frames, and
            ``(B,)`` lengths.
        """
        check_lengths(x, lengths)
        x, lengths = self.subsampling(x, lengths)
        return self._encode(x, lengths), lengths

    def _encode(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """``(B, T', H)`` subsampled frames and their ``(B,)`` lengths -> ``(B, T', output_size)``,
        zero on padded frames."""
        raise NotImplementedError
