"""Conformer encoder (Gulati et al., 2020) with padding masked everywhere.

Unlike torchaudio's ``Conformer``, padded frames never reach a valid one: attention masks
padded keys, the convolution module zeroes padded frames before its depthwise convolution
(so they act like the convolution's own zero padding), and its batch norm computes
training statistics over valid frames only. A padded batch therefore gives the same
valid outputs as each utterance alone.
"""

from __future__ import annotations

import torch
from torch import nn

from asr.nnet.attention import RelPositionMultiHeadAttention
from asr.nnet.dropout import Dropout
from asr.nnet.layers import FeedForward, MaskedBatchNorm1d
from asr.nnet.masking import valid_mask
from asr.nnet.registry import ENCODERS
from asr.nnet.subsampling import Conv2dSubsampling, SubsampledEncoder

__all__ = ["ConvolutionModule", "ConformerBlock", "ConformerEncoder"]

_CONV_NORMS = ("batch_norm", "layer_norm")


class ConvolutionModule(nn.Module):
    """``LayerNorm -> pointwise conv -> GLU -> depthwise conv -> norm -> swish -> pointwise conv``.

    Args:
        dim (int): channels.
        kernel_size (int): odd depthwise kernel size.
        dropout (float): output dropout. (Default: ``0.0``)
        norm (str): ``"batch_norm"`` (masked) or ``"layer_norm"``. (Default: ``"batch_norm"``)
    """

    def __init__(self, dim: int, kernel_size: int, dropout: float = 0.0, norm: str = "batch_norm") -> None:
        super().__init__()
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"conformer kernel_size must be odd and positive, got {kernel_size}")
        if norm not in _CONV_NORMS:
            raise ValueError(f"conformer conv_norm must be one of {_CONV_NORMS}, got {norm!r}")
        self.layer_norm = nn.LayerNorm(dim)
        self.pointwise_in = nn.Conv1d(dim, 2 * dim, 1)
        self.depthwise = nn.Conv1d(dim, dim, kernel_size, padding=kernel_size // 2, groups=dim)
        self.norm = MaskedBatchNorm1d(dim) if norm == "batch_norm" else nn.LayerNorm(dim)
        self.pointwise_out = nn.Conv1d(dim, dim, 1)
        self.dropout = Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``x (B, T, dim)``, ``mask (B, T)`` bool valid frames -> ``(B, T, dim)``."""
        # The pointwise convolutions run as linear layers on (B, T, dim), faster on CPU than
        # Conv1d (their weights keep the Conv1d shape, so older checkpoints load).
        h = nn.functional.linear(self.layer_norm(x), self.pointwise_in.weight[..., 0], self.pointwise_in.bias)
        h = nn.functional.glu(h, dim=-1).masked_fill(~mask[..., None], 0.0)
        h = self.depthwise(h.transpose(1, 2))
        if isinstance(self.norm, MaskedBatchNorm1d):
            h = self.norm(h, mask).transpose(1, 2)
        else:
            h = self.norm(h.transpose(1, 2))
        h = nn.functional.linear(nn.functional.silu(h), self.pointwise_out.weight[..., 0], self.pointwise_out.bias)
        return self.dropout(h)


class ConformerBlock(nn.Module):
    """Macaron block: ``x + FF/2``, ``+ MHSA``, ``+ Conv``, ``+ FF/2``, then LayerNorm.

    Args:
        dim (int): model dimension.
        num_heads (int): attention heads.
        ffn_dim (int): feed-forward inner dimension.
        kernel_size (int): depthwise convolution kernel size (odd).
        dropout (float): dropout in every sub-module. (Default: ``0.0``)
        attention_dropout (float): dropout on attention probabilities. (Default: ``0.0``)
        conv_norm (str): ``"batch_norm"`` (masked) or ``"layer_norm"``. (Default: ``"batch_norm"``)
    """

    def __init__(
        self,
        dim: int,
        num_heads: int,
        ffn_dim: int,
        kernel_size: int,
        dropout: float = 0.0,
        attention_dropout: float = 0.0,
        conv_norm: str = "batch_norm",
    ) -> None:
        super().__init__()
        self.ff1 = FeedForward(dim, ffn_dim, dropout, activation="swish")
        self.attn_norm = nn.LayerNorm(dim)
        self.attn = RelPositionMultiHeadAttention(dim, num_heads, attention_dropout)
        self.attn_dropout = Dropout(dropout)
        self.conv = ConvolutionModule(dim, kernel_size, dropout, conv_norm)
        self.ff2 = FeedForward(dim, ffn_dim, dropout, activation="swish")
        self.final_norm = nn.LayerNorm(dim)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``x (B, T, dim)``, ``mask (B, T)`` bool valid frames -> ``(B, T, dim)``."""
        x = x + 0.5 * self.ff1(x)
        x = x + self.attn_dropout(self.attn(self.attn_norm(x), mask[:, None, :]))
        x = x + self.conv(x, mask)
        x = x + 0.5 * self.ff2(x)
        return self.final_norm(x)


@ENCODERS.register("conformer")
class ConformerEncoder(SubsampledEncoder):
    """Conv2d subsampling, then ``num_blocks`` conformer blocks with relative positions.

    Args:
        input_dim (int): feature dimension ``D``.
        dim (int): model dimension ``H``. (Default: ``144``)
        num_heads (int): attention heads. (Default: ``4``)
        ffn_dim (int): feed-forward inner dimension. (Default: ``576``)
        num_blocks (int): conformer blocks. (Default: ``6``)
        kernel_size (int): depthwise convolution kernel size (odd). (Default: ``15``)
        subsampling_rate (int): time subsampling, 1/2/4/6/8 (see :mod:`asr.nnet.subsampling`). (Default: ``4``)
        subsampling_channels (int or None): subsampling conv channels; ``dim`` when ``None``. (Default: ``None``)
        dropout (float): dropout in every sub-module. (Default: ``0.1``)
        attention_dropout (float): dropout on attention probabilities. (Default: ``0.0``)
        conv_norm (str): ``"batch_norm"`` (masked) or ``"layer_norm"``. (Default: ``"batch_norm"``)
    """

    def __init__(
        self,
        input_dim: int,
        dim: int = 144,
        num_heads: int = 4,
        ffn_dim: int = 576,
        num_blocks: int = 6,
        kernel_size: int = 15,
        subsampling_rate: int = 4,
        subsampling_channels: int | None = None,
        dropout: float = 0.1,
        attention_dropout: float = 0.0,
        conv_norm: str = "batch_norm",
    ) -> None:
        super().__init__()
        if num_blocks < 1:
            raise ValueError(f"conformer num_blocks must be positive, got {num_blocks}")
        self.subsampling = Conv2dSubsampling(input_dim, dim, subsampling_rate, subsampling_channels)
        self.dropout = Dropout(dropout)
        self.blocks = nn.ModuleList(
            ConformerBlock(dim, num_heads, ffn_dim, kernel_size, dropout, attention_dropout, conv_norm)
            for _ in range(num_blocks)
        )
        self.output_size = dim

    def _encode(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        mask = valid_mask(lengths, x.size(1))
        x = self.dropout(x)
        for block in self.blocks:
            x = block(x, mask)
        return x.masked_fill(~mask[..., None], 0.0)
