"""Multi-head attention with explicit masks, absolute and relative sinusoidal positions.

Masks are bool with ``True`` for keys a query may attend to, broadcastable to
``(B, T_q, T_k)``. Masked scores get the dtype's minimum before the softmax and the
probabilities of masked keys are zeroed after it, so a query whose keys are all masked
outputs zeros instead of NaN.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from asr.nnet.dropout import Dropout

__all__ = ["sinusoidal_encoding", "PositionalEncoding", "MultiHeadAttention", "RelPositionMultiHeadAttention"]


def sinusoidal_encoding(positions: torch.Tensor, dim: int) -> torch.Tensor:
    """Transformer sinusoids: ``[sin(p w_0), cos(p w_0), sin(p w_1), ...]``, ``w_k = 10000^(-2k/dim)``.

    Args:
        positions (Tensor): ``(N,)`` positions (may be negative: relative distances).
        dim (int): even encoding dimension.

    Returns:
        Tensor: ``(N, dim)`` float32.
    """
    if dim % 2:
        raise ValueError(f"sinusoidal encoding dimension must be even, got {dim}")
    exponents = torch.arange(0, dim, 2, dtype=torch.float32, device=positions.device) / dim
    freqs = torch.exp(exponents * -math.log(10000.0))
    angles = positions.to(torch.float32)[:, None] * freqs[None, :]
    return torch.stack([angles.sin(), angles.cos()], dim=-1).flatten(1)


class PositionalEncoding(nn.Module):
    """Absolute positions: ``dropout(x * sqrt(dim) + PE[t])``.

    Args:
        dim (int): model dimension.
        dropout (float): dropout after adding positions. (Default: ``0.0``)
    """

    def __init__(self, dim: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.dim = dim
        self.dropout = Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, T, dim)`` -> ``(B, T, dim)``."""
        pe = sinusoidal_encoding(torch.arange(x.size(1), device=x.device), self.dim).to(x.dtype)
        return self.dropout(x * math.sqrt(self.dim) + pe[None])


class MultiHeadAttention(nn.Module):
    """Scaled dot-product attention over ``num_heads`` heads.

    Args:
        dim (int): model dimension; a multiple of ``num_heads``.
        num_heads (int): number of heads.
        dropout (float): dropout on the attention probabilities. (Default: ``0.0``)
    """

    def __init__(self, dim: int, num_heads: int, dropout: float = 0.0) -> None:
        super().__init__()
        if num_heads < 1 or dim % num_heads:
            raise ValueError(f"attention dim {dim} must be a positive multiple of num_heads {num_heads}")
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.linear_q = nn.Linear(dim, dim)
        self.linear_k = nn.Linear(dim, dim)
        self.linear_v = nn.Linear(dim, dim)
        self.linear_out = nn.Linear(dim, dim)
        self.dropout = Dropout(dropout)
        # set keep_attention to have each forward store its (B, H, T_q, T_k) probabilities
        # in self.attention (for plots; outputs are unchanged)
        self.keep_attention = False
        self.attention: torch.Tensor | None = None

    def _heads(self, x: torch.Tensor, linear: nn.Linear) -> torch.Tensor:
        b, t, _ = x.shape
        return linear(x).view(b, t, self.num_heads, self.head_dim).transpose(1, 2)  # (B, H, T, d)

    def _attend(self, scores: torch.Tensor, v: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``scores (B, H, Tq, Tk)``, ``v (B, H, Tk, d)``, ``mask`` -> ``(B, Tq, dim)``."""
        mask = mask.unsqueeze(1)  # broadcast over heads
        scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
        probs = torch.softmax(scores, dim=-1).masked_fill(~mask, 0.0)
        if self.keep_attention:
            self.attention = probs.detach()
        out = torch.matmul(self.dropout(probs), v)  # (B, H, Tq, d)
        b, _, tq, _ = out.shape
        return self.linear_out(out.transpose(1, 2).reshape(b, tq, self.num_heads * self.head_dim))

    def forward(self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """
        Args:
            query (Tensor): ``(B, T_q, dim)``.
            key (Tensor): ``(B, T_k, dim)``.
            value (Tensor): ``(B, T_k, dim)``.
            mask (Tensor): bool, broadcastable to ``(B, T_q, T_k)``, ``True`` = may attend.

        Returns:
            Tensor: ``(B, T_q, dim)``.
        """
        q, k, v = self._heads(query, self.linear_q), self._heads(key, self.linear_k), self._heads(value, self.linear_v)
        scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(self.head_dim)
        return self._attend(scores, v, mask)


class RelPositionMultiHeadAttention(MultiHeadAttention):
    """Self-attention with Transformer-XL relative positions (as in the Conformer paper).

    ``score(i, j) = [(q_i + u) . k_j + (q_i + v) . W_p PE(i - j)] / sqrt(d)``, with learned
    per-head biases ``u``, ``v``. Scores depend only on the distance ``i - j``, never on
    the padded length of the batch.

    Args:
        dim (int): model dimension; a multiple of ``num_heads``.
        num_heads (int): number of heads.
        dropout (float): dropout on the attention probabilities. (Default: ``0.0``)
    """

    def __init__(self, dim: int, num_heads: int, dropout: float = 0.0) -> None:
        super().__init__(dim, num_heads, dropout)
        self.linear_pos = nn.Linear(dim, dim, bias=False)
        self.pos_bias_u = nn.Parameter(torch.empty(num_heads, self.head_dim))
        self.pos_bias_v = nn.Parameter(torch.empty(num_heads, self.head_dim))
        nn.init.xavier_uniform_(self.pos_bias_u)
        nn.init.xavier_uniform_(self.pos_bias_v)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        """
        Args:
            x (Tensor): ``(B, T, dim)``.
            mask (Tensor): bool, broadcastable to ``(B, T, T)``, ``True`` = may attend.

        Returns:
            Tensor: ``(B, T, dim)``.
        """
        b, t, dim = x.shape
        q, k, v = self._heads(x, self.linear_q), self._heads(x, self.linear_k), self._heads(x, self.linear_v)
        # column c holds distance T - 1 - c (from T - 1 down to -(T - 1))
        distances = torch.arange(t - 1, -t, -1, device=x.device)
        pos = self.linear_pos(sinusoidal_encoding(distances, dim).to(x.dtype))
        pos = pos.view(2 * t - 1, self.num_heads, self.head_dim).permute(1, 2, 0)  # (H, d, 2T-1)
        content = torch.matmul(q + self.pos_bias_u[:, None, :], k.transpose(-2, -1))  # (B, H, T, T)
        position = torch.matmul(q + self.pos_bias_v[:, None, :], pos).contiguous()  # (B, H, T, 2T-1)
        # relative shift: entry (i, j) is column T - 1 - i + j, a view with row stride 2T - 2
        # (cheaper than gathering, whose backward is a scatter)
        s_b, s_h, s_row, _ = position.stride()
        position = position.as_strided((b, self.num_heads, t, t), (s_b, s_h, s_row - 1, 1),
                                       position.storage_offset() + t - 1)
        return self._attend((content + position) / math.sqrt(self.head_dim), v, mask)
