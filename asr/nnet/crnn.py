"""CRNN encoder: Conv2d subsampling, then a (bi)directional GRU or LSTM over packed sequences."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from asr.nnet.dropout import Dropout
from asr.nnet.registry import ENCODERS
from asr.nnet.subsampling import Conv2dSubsampling, SubsampledEncoder

__all__ = ["CRNNEncoder"]

_RNNS = {"gru": nn.GRU, "lstm": nn.LSTM}


@ENCODERS.register("crnn")
class CRNNEncoder(SubsampledEncoder):
    """Convolutional subsampling followed by a recurrent stack.

    Sequences are packed, so the backward direction starts at each utterance's own last
    frame and padding never enters a valid frame.

    Args:
        input_dim (int): feature dimension ``D``.
        conv_dim (int): output dimension of the subsampling (the RNN input). (Default: ``256``)
        hidden_size (int): RNN hidden size per direction. (Default: ``256``)
        num_layers (int): RNN layers. (Default: ``3``)
        rnn_type (str): ``"gru"`` or ``"lstm"``. (Default: ``"gru"``)
        bidirectional (bool): run both directions; output size doubles. (Default: ``True``)
        subsampling_rate (int): time subsampling, 1/2/4/6/8 (see :mod:`asr.nnet.subsampling`). (Default: ``4``)
        subsampling_channels (int or None): subsampling conv channels; ``conv_dim`` when ``None``. (Default: ``None``)
        dropout (float): dropout between RNN layers and on the output. (Default: ``0.1``)
    """

    def __init__(
        self,
        input_dim: int,
        conv_dim: int = 256,
        hidden_size: int = 256,
        num_layers: int = 3,
        rnn_type: str = "gru",
        bidirectional: bool = True,
        subsampling_rate: int = 4,
        subsampling_channels: int | None = None,
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        if rnn_type not in _RNNS:
            raise ValueError(f"crnn rnn_type must be one of {sorted(_RNNS)}, got {rnn_type!r}")
        if num_layers < 1:
            raise ValueError(f"crnn num_layers must be positive, got {num_layers}")
        self.subsampling = Conv2dSubsampling(input_dim, conv_dim, subsampling_rate, subsampling_channels)
        self.rnn = _RNNS[rnn_type](
            conv_dim,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=bidirectional,
            dropout=dropout if num_layers > 1 else 0.0,
        )
        self.dropout = Dropout(dropout)
        self.output_size = hidden_size * (2 if bidirectional else 1)

    def _encode(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, _ = self.rnn(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.size(1))
        return self.dropout(out)
