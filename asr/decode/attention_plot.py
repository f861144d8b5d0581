"""Attention maps of one utterance: encoder self-attention (first and last layer) and,
with an attention decoder, its last layer's source attention over the encoder frames,
each averaged over heads, saved as one PNG."""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the non-interactive backend)
import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from asr.nnet import ASRModel  # noqa: E402
from asr.nnet.attention import MultiHeadAttention  # noqa: E402
from asr.utils.fileio import atomic_write  # noqa: E402

__all__ = ["record_attention", "attention_maps", "plot_attention"]


@contextmanager
def record_attention(module: nn.Module) -> Iterator[list[MultiHeadAttention]]:
    """Have every attention layer under ``module`` keep its probabilities while inside;
    yields the layers in module order (read ``layer.attention``: ``(B, H, T_q, T_k)``)."""
    layers = [m for m in module.modules() if isinstance(m, MultiHeadAttention)]
    for layer in layers:
        layer.keep_attention, layer.attention = True, None
    try:
        yield layers
    finally:
        for layer in layers:
            layer.keep_attention, layer.attention = False, None


@torch.inference_mode()
def attention_maps(model: ASRModel, feats: np.ndarray,
                   tokens: Sequence[int] | None = None) -> list[tuple[str, np.ndarray]]:
    """Head-averaged attention maps of one utterance.

    Args:
        model (ASRModel): the model (eval mode).
        feats (np.ndarray): ``(T, D)`` features, CMVN applied.
        tokens (sequence of int or None): the hypothesis the decoder is fed (after
            ``<sos>``); needed for the source attention. (Default: ``None``)

    Returns:
        list of (str, np.ndarray): ``(title, (T_q, T_k) map)``; empty for a model without
        attention (e.g. a CRNN without decoder).
    """
    x = torch.from_numpy(np.asarray(feats, dtype=np.float32))[None]
    lengths = torch.tensor([x.size(1)])
    maps = []
    with record_attention(model.encoder) as layers:
        enc, enc_lengths = model.encode(x, lengths)
        kept = [layer.attention for layer in layers if layer.attention is not None]
    if kept:
        maps.append(("encoder self-attention, layer 1", kept[0][0].mean(0).numpy()))
        if len(kept) > 1:
            maps.append((f"encoder self-attention, layer {len(kept)}", kept[-1][0].mean(0).numpy()))
    if model.decoder is not None and tokens is not None:
        decoder = model.decoder
        ys_in = torch.tensor([[decoder.sos_id, *tokens]])
        sources = [layer.src_attn for layer in decoder.layers]
        with record_attention(sources[-1]):
            decoder(enc, enc_lengths, ys_in, torch.tensor([ys_in.size(1)]))
            maps.append((f"decoder source attention, layer {len(sources)}",
                         sources[-1].attention[0].mean(0).numpy()))
    return maps


def plot_attention(model: ASRModel, feats: np.ndarray, out: str | os.PathLike, title: str,
                   tokens: Sequence[int] | None = None, token_labels: Sequence[str] | None = None) -> int:
    """Save :func:`attention_maps` of one utterance side by side as a PNG (atomically).

    Args:
        model (ASRModel), feats (np.ndarray), tokens: as for :func:`attention_maps`.
        out (str or PathLike): the PNG.
        title (str): figure title, e.g. the utterance id and hypothesis.
        token_labels (sequence of str or None): names of ``tokens`` for the decoder map's
            rows (``<eos>`` is added). (Default: ``None``: ids)

    Returns:
        int: maps drawn (0: the model has no attention, nothing written).
    """
    maps = attention_maps(model, feats, tokens)
    if not maps:
        return 0
    fig, axes = plt.subplots(1, len(maps), figsize=(4.5 * len(maps), 4.2), squeeze=False)
    for ax, (name, att) in zip(axes[0], maps):
        image = ax.imshow(att, aspect="auto", origin="lower", interpolation="nearest", cmap="viridis")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("encoder frame")
        if name.startswith("decoder"):
            labels = list(token_labels) if token_labels is not None else [str(t) for t in tokens or []]
            ax.set_yticks(range(len(labels) + 1), labels + ["<eos>"], fontsize=7)
            ax.set_ylabel("output token")
        else:
            ax.set_ylabel("encoder frame (query)")
        fig.colorbar(image, ax=ax, fraction=0.046)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    with atomic_write(out, "wb") as f:
        fig.savefig(f, format="png", dpi=100)
    plt.close(fig)
    return len(maps)
