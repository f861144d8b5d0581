"""Time-delay neural network (TDNN) acoustic model for hybrid HMM-DNN systems.

Each layer is a dilated 1-d convolution over time without padding (Kaldi's TDNN splicing
``{-d, 0, d}`` is kernel 3, dilation ``d``), then ReLU, BatchNorm and dropout; a final
affine layer gives one logit per pdf. With no padding the network reads
``left_context`` frames before and ``right_context`` frames after each output frame, so
an input of ``T + left + right`` frames gives exactly ``T`` outputs. Callers pad
utterances by repeating their edge frames (:func:`pad_context`), as Kaldi's nnet3 does.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from asr.nnet.dropout import Dropout

__all__ = ["Tdnn", "DEFAULT_LAYERS", "pad_context"]

#: ``(kernel, dilation)`` per hidden layer: splicing {-2..2}, {-1,0,1} x2, {-3,0,3} x3
#: (Kaldi's classic TDNN contexts; 13 frames either side).
DEFAULT_LAYERS: tuple[tuple[int, int], ...] = ((5, 1), (3, 1), (3, 1), (3, 3), (3, 3), (3, 3))


def pad_context(x: torch.Tensor, left: int, right: int) -> torch.Tensor:
    """Repeat the first frame ``left`` times and the last ``right`` times.

    Args:
        x (Tensor): ``(T, D)`` or ``(B, T, D)`` features, ``T >= 1``.

    Returns:
        Tensor: ``(..., left + T + right, D)``.
    """
    if left < 0 or right < 0:
        raise ValueError(f"context must be >= 0, got left={left} right={right}")
    if x.size(-2) < 1:
        raise ValueError("cannot pad an utterance with no frames")
    first = x[..., :1, :].expand(*x.shape[:-2], left, x.size(-1))
    last = x[..., -1:, :].expand(*x.shape[:-2], right, x.size(-1))
    return torch.cat([first, x, last], dim=-2)


class Tdnn(nn.Module):
    """TDNN: dilated 1-d convolutions over frames, then a per-frame affine output.

    Args:
        input_dim (int): feature dimension ``D``.
        num_pdfs (int): output dimension (pdfs of the HMM's transition model).
        hidden_dim (int): channels of every hidden layer. (Default: ``256``)
        layers (sequence of (int, int)): ``(kernel, dilation)`` per hidden layer; kernels
            odd, so context is symmetric. (Default: :data:`DEFAULT_LAYERS`)
        dropout (float): dropout after each hidden layer. (Default: ``0.1``)
    """

    def __init__(self, input_dim: int, num_pdfs: int, hidden_dim: int = 256,
                 layers: Sequence[Sequence[int]] = DEFAULT_LAYERS, dropout: float = 0.1) -> None:
        super().__init__()
        if input_dim < 1 or num_pdfs < 1 or hidden_dim < 1:
            raise ValueError(f"input_dim, num_pdfs and hidden_dim must be positive, got "
                             f"{input_dim}, {num_pdfs}, {hidden_dim}")
        if not layers:
            raise ValueError("a TDNN needs at least one hidden layer")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        blocks: list[nn.Module] = []
        context, in_dim = 0, input_dim
        for layer in layers:
            if len(layer) != 2:
                raise ValueError(f"each layer is (kernel, dilation), got {list(layer)}")
            kernel, dilation = int(layer[0]), int(layer[1])
            if kernel < 1 or kernel % 2 == 0 or dilation < 1:
                raise ValueError(f"kernel must be odd and positive and dilation positive, got "
                                 f"kernel={kernel} dilation={dilation}")
            blocks += [nn.Conv1d(in_dim, hidden_dim, kernel, dilation=dilation), nn.ReLU(),
                       nn.BatchNorm1d(hidden_dim), Dropout(dropout)]
            context += dilation * (kernel - 1) // 2
            in_dim = hidden_dim
        self.body = nn.Sequential(*blocks)
        self.output = nn.Conv1d(hidden_dim, num_pdfs, 1)
        self.left_context = self.right_context = context
        self.num_pdfs = num_pdfs

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """
        Args:
            x (Tensor): ``(B, T + left_context + right_context, D)`` context-padded features.

        Returns:
            Tensor: ``(B, T, num_pdfs)`` logits.
        """
        if x.dim() != 3:
            raise ValueError(f"expected (batch, frames, dim) features, got shape {tuple(x.shape)}")
        if x.size(1) <= self.left_context + self.right_context:
            raise ValueError(f"{x.size(1)} input frames give no output with context "
                             f"{self.left_context}+{self.right_context}: pad the input")
        return self.output(self.body(x.transpose(1, 2))).transpose(1, 2)
