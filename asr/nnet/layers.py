"""Small building blocks shared by the encoders: feed-forward module, masked batch norm."""

from __future__ import annotations

import torch
from torch import nn

from asr.nnet.dropout import Dropout

__all__ = ["FeedForward", "MaskedBatchNorm1d"]

_ACTIVATIONS = {"relu": nn.ReLU, "swish": nn.SiLU, "gelu": nn.GELU}


class FeedForward(nn.Module):
    """Pre-norm position-wise feed-forward: ``LayerNorm -> Linear -> act -> Linear``.

    Args:
        dim (int): input and output dimension.
        hidden_dim (int): inner dimension.
        dropout (float): dropout after the activation and at the output. (Default: ``0.0``)
        activation (str): ``"relu"``, ``"swish"`` or ``"gelu"``. (Default: ``"relu"``)
    """

    def __init__(self, dim: int, hidden_dim: int, dropout: float = 0.0, activation: str = "relu") -> None:
        super().__init__()
        if activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}")
        self.net = nn.Sequential(
            nn.LayerNorm(dim),
            nn.Linear(dim, hidden_dim),
            _ACTIVATIONS[activation](),
            Dropout(dropout),
            nn.Linear(hidden_dim, dim),
            Dropout(dropout),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, T, dim)`` -> ``(B, T, dim)``."""
        return self.net(x)


class MaskedBatchNorm1d(nn.Module):
    """``BatchNorm1d`` whose training statistics use only the valid frames.

    Padding would otherwise enter the mean and variance, so a batch's output would depend
    on how much it is padded. In eval mode the running statistics are used, frame by frame.

    Args:
        num_features (int): channels ``C``.
        eps (float): added to the variance. (Default: ``1e-5``)
        momentum (float): running statistics update factor. (Default: ``0.1``)
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        super().__init__()
        self.eps = eps
        self.momentum = momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """
        Args:
            x (Tensor): ``(B, C, T)``.
            mask (Tensor): ``(B, T)`` bool, ``True`` = valid frame.

        Returns:
            Tensor: ``(B, C, T)``; padded frames hold arbitrary values.
        """
        if self.training:
            xf, m = x.float(), mask[:, None, :].float()  # statistics in float32 under autocast too
            count = m.sum()
            if count < 2:
                raise ValueError("MaskedBatchNorm1d needs at least 2 valid frames in training")
            mean = (xf * m).sum(dim=(0, 2)) / count
            var = (((xf - mean[None, :, None]) ** 2) * m).sum(dim=(0, 2)) / count
            with torch.no_grad():
                self.running_mean.lerp_(mean.detach(), self.momentum)
                self.running_var.lerp_(var.detach() * count / (count - 1), self.momentum)
        else:
            mean, var = self.running_mean, self.running_var
        scale = self.weight * torch.rsqrt(var + self.eps)
        shift = self.bias - mean * scale
        return x * scale.to(x.dtype)[None, :, None] + shift.to(x.dtype)[None, :, None]
