"""Training curves (loss, dev WER, learning rate) as a PNG in the exp dir."""

from __future__ import annotations

import os
from typing import Any, Sequence

from asr.utils.fileio import atomic_write

__all__ = ["plot_curves"]


def plot_curves(epochs: Sequence[dict[str, Any]], lrs: Sequence[tuple[int, float]], path: str | os.PathLike) -> None:
    """Plot per-epoch train/dev loss and dev WER, and the per-step learning rate.

    Args:
        epochs (Sequence[dict]): one record per epoch with ``epoch``, ``train_loss``,
            ``dev_loss`` and ``dev_wer``.
        lrs (Sequence[tuple[int, float]]): ``(step, lr)`` pairs.
        path (str or PathLike): output PNG (written atomically).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    x = [e["epoch"] for e in epochs]
    axes[0].plot(x, [e["train_loss"] for e in epochs], marker="o", label="train")
    axes[0].plot(x, [e["dev_loss"] for e in epochs], marker="o", label="dev")
    axes[0].set(xlabel="epoch", ylabel="loss per utterance", title="Loss")
    axes[0].legend()
    axes[1].plot(x, [e["dev_wer"] for e in epochs], marker="o", color="C2")
    axes[1].set(xlabel="epoch", ylabel="%WER", title="Dev WER (greedy CTC)")
    axes[2].plot([s for s, _ in lrs], [lr for _, lr in lrs], color="C3")
    axes[2].set(xlabel="step", ylabel="lr", title="Learning rate")
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.tight_layout()
    with atomic_write(path, "wb") as f:
        fig.savefig(f, format="png", dpi=100)
    plt.close(fig)
