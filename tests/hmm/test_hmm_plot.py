"""Alignment plot: a PNG of phone segments over a log-mel spectrogram."""

import numpy as np
import pytest

from asr.features.config import load_feature_config
from asr.hmm.plot_alignment import log_mel_spectrogram, plot_alignment

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_spectrogram_frames_match_the_model_features(repo_root):
    mfcc = load_feature_config(repo_root / "conf" / "mfcc.yaml")
    t = np.arange(8000) / 8000
    audio = np.where(t < 0.5, 0.3 * np.sin(2 * np.pi * 500 * t), 0.3 * np.sin(2 * np.pi * 2500 * t))
    spec = log_mel_spectrogram(audio, mfcc, num_mel_bins=40)
    # 1 s, 25 ms windows every 10 ms, snip_edges: 1 + (8000 - 200) // 80 frames, as the MFCCs
    assert spec.shape == (98, 40)
    # the 500 Hz half peaks in a lower mel bin than the 2500 Hz half
    assert spec[:40].mean(0).argmax() < spec[-40:].mean(0).argmax()


def test_plot_writes_a_png(tmp_path):
    spec = np.random.default_rng(0).standard_normal((120, 40))
    out = tmp_path / "alignment_u1.png"
    plot_alignment(spec, [("SIL", 0, 30), ("Y_B", 30, 10), ("EH_I", 40, 20), ("S_E", 60, 30),
                          ("SIL", 90, 30)], out, title="u1: YES",
                   words=[("YES", 30, 60)])
    data = out.read_bytes()
    assert data[:8] == PNG_MAGIC and len(data) > 5000
    assert not list(tmp_path.glob("*.tmp*"))
    with pytest.raises(ValueError, match="segments reach frame"):
        plot_alignment(spec, [("SIL", 0, 200)], tmp_path / "bad.png")
