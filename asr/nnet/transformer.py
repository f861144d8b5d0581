"""Transformer encoder: Conv2d subsampling, absolute positions, pre-norm self-attention layers."""

from __future__ import annotations

import torch
from torch import nn

from asr.nnet.attention import MultiHeadAttention, PositionalEncoding
from asr.nnet.dropout import Dropout
from asr.nnet.layers import FeedForward
from asr.nnet.masking import valid_mask
from asr.nnet.registry import ENCODERS
from asr.nnet.subsampling import Conv2dSubsampling, SubsampledEncoder

__all__ = ["TransformerEncoderLayer", "TransformerEncoder"]


class TransformerEncoderLayer(nn.Module):
    """Pre-norm layer: ``x + MHSA(LN(x))``, then ``+ FF(x)``.

    Args:
        dim (int): model dimension.
        num_heads (int): attention heads.
        ffn_dim (int): feed-forward inner dimension.
        dropout (float): residual and feed-forward dropout. (Default: ``0.0``)
        attention_dropout (float): dropout on attention probabilities. (Default: ``0.0``)
    """

    def __init__(
        self, dim: int, num_heads: int, ffn_dim: int, dropout: float = 0.0, attention_dropout: float = 0.0
    ) -> None:
        super().__init__()
        self.attn_norm = nn.LayerNorm(dim)
        self.attn = MultiHeadAttention(dim, num_heads, attention_dropout)
        self.dropout = Dropout(dropout)
        self.ff = FeedForward(dim, ffn_dim, dropout, activation="relu")

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``x (B, T, dim)``, ``mask (B, T)`` bool valid frames -> ``(B, T, dim)``."""
        h = self.attn_norm(x)
        x = x + self.dropout(self.attn(h, h, h, mask[:, None, :]))
        return x + self.ff(x)


@ENCODERS.register("transformer")
class TransformerEncoder(SubsampledEncoder):
    """Conv2d subsampling, sinusoidal absolute positions, ``num_layers`` pre-norm layers, LayerNorm.

    Args:
        input_dim (int): feature dimension ``D``.
        dim (int): model dimension ``H``. (Default: ``256``)
        num_heads (int): attention heads. (Default: ``4``)
        ffn_dim (int): feed-forward inner dimension. (Default: ``1024``)
        num_layers (int): encoder layers. (Default: ``6``)
        subsampling_rate (int): time subsampling, 1/2/4/6/8 (see :mod:`asr.nnet.subsampling`). (Default: ``4``)
        subsampling_channels (int or None): subsampling conv channels; ``dim`` when ``None``. (Default: ``None``)
        dropout (float): dropout after positions, in residuals and feed-forwards. (Default: ``0.1``)
        attention_dropout (float): dropout on attention probabilities. (Default: ``0.0``)
    """

    def __init__(
        self,
        input_dim: int,
        dim: int = 256,
        num_heads: int = 4,
        ffn_dim: int = 1024,
        num_layers: int = 6,
        subsampling_rate: int = 4,
        subsampling_channels: int | None = None,
        dropout: float = 0.1,
        attention_dropout: float = 0.0,
    ) -> None:
        super().__init__()
        if num_layers < 1:
            raise ValueError(f"transformer num_layers must be positive, got {num_layers}")
        self.subsampling = Conv2dSubsampling(input_dim, dim, subsampling_rate, subsampling_channels)
        self.positions = PositionalEncoding(dim, dropout)
        self.layers = nn.ModuleList(
            TransformerEncoderLayer(dim, num_heads, ffn_dim, dropout, attention_dropout) for _ in range(num_layers)
        )
        self.final_norm = nn.LayerNorm(dim)
        self.output_size = dim

    def _encode(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        mask = valid_mask(lengths, x.size(1))
        x = self.positions(x)
        for layer in self.layers:
            x = layer(x, mask)
        return self.final_norm(x).masked_fill(~mask[..., None], 0.0)
