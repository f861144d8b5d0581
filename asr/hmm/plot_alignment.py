"""A picture of one utterance's alignment: phone boundaries and labels (and words, when
given) over its log-mel spectrogram, saved as a PNG."""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from asr.features.config import FeatureConfig, make_feature_config  # noqa: E402
from asr.features.extract import FeatureExtractor  # noqa: E402

__all__ = ["log_mel_spectrogram", "plot_alignment"]


def log_mel_spectrogram(audio: np.ndarray, like: FeatureConfig, num_mel_bins: int = 40
                        ) -> np.ndarray:
    """Log-mel filterbank frames of ``audio`` framed exactly as ``like`` (the model's
    feature config: same rate, frame length, shift and edge handling), so that frame ``t``
    of the spectrogram is frame ``t`` of the alignment.

    Returns:
        np.ndarray: ``(T, num_mel_bins)`` float32.
    """
    config = make_feature_config("fbank", dict(
        sample_frequency=like.sample_frequency, frame_length=like.frame_length,
        frame_shift=like.frame_shift, snip_edges=like.snip_edges, dither=0.0,
        num_mel_bins=num_mel_bins, low_freq=like.low_freq, high_freq=like.high_freq))
    return FeatureExtractor(config)([np.asarray(audio, dtype=np.float32)])[0]


def plot_alignment(spectrogram: np.ndarray, phones: list[tuple[str, int, int]],
                   out_png: str | os.PathLike, frame_shift: float = 0.01, title: str = "",
                   words: list[tuple[str, int, int]] | None = None) -> None:
    """Save the spectrogram with labelled segment boundaries.

    Args:
        spectrogram (np.ndarray): ``(T, bins)`` log-mel frames.
        phones (list[tuple[str, int, int]]): ``(label, start frame, number of frames)``.
        out_png (path): output file (written whole: a temporary file, then renamed).
        frame_shift (float): seconds per frame, for the time axis. (Default: ``0.01``)
        title (str): figure title. (Default: none)
        words (list or None): word segments, same layout, drawn above. (Default: none)

    Raises:
        ValueError: an empty spectrogram or segments beyond its frames.
    """
    spec = np.asarray(spectrogram)
    if spec.ndim != 2 or len(spec) == 0:
        raise ValueError(f"expected a (frames, bins) spectrogram, got shape {spec.shape}")
    end = max((s + n for _, s, n in phones + (words or [])), default=0)
    if end > len(spec) + 2:
        raise ValueError(f"segments reach frame {end}, the spectrogram has {len(spec)}")
    fig, ax = plt.subplots(figsize=(max(6.0, len(spec) * frame_shift * 2.0), 3.5))
    ax.imshow(spec.T, origin="lower", aspect="auto", cmap="magma", interpolation="nearest",
              extent=(0.0, len(spec) * frame_shift, 0, spec.shape[1]))
    top = spec.shape[1]
    for label, s, n in phones:
        ax.axvline(s * frame_shift, color="white", lw=0.8)
        ax.text((s + n / 2) * frame_shift, top * 0.93, label, color="white", ha="center",
                va="top", fontsize=7, rotation=90 if n < 8 else 0)
    for label, s, n in words or []:
        ax.axvspan(s * frame_shift, (s + n) * frame_shift, ymin=0.0, ymax=0.06, color="cyan",
                   alpha=0.8)
        ax.text((s + n / 2) * frame_shift, top * 0.07, label, color="cyan", ha="center",
                va="bottom", fontsize=8, weight="bold")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("mel bin")
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    out_png = os.fspath(out_png)
    tmp = f"{out_png}.tmp.png"
    try:
        fig.savefig(tmp, dpi=100)
        os.replace(tmp, out_png)
    finally:
        plt.close(fig)
        if os.path.exists(tmp):
            os.remove(tmp)
