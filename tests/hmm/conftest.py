"""Fixtures for GMM-HMM tests: a two-word tone language and synthesized utterances whose
word boundaries are known."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from asr.bin.make_grammar import main as make_grammar
from asr.bin.prepare_lang import main as prepare_lang
from asr.features.config import load_feature_config
from asr.features.extract import FeatureExtractor
from asr.hmm.feats import add_deltas
from asr.lang.lang import load_lang

RATE = 8000
FREQS = {"LOW": 400.0, "HIGH": 1800.0}


def make_tone_lang(root: Path, num_states: int = 3):
    """Words LOW (phone L) and HIGH (phone H); SIL silence; lang with a word-loop G."""
    d = root / "dict"
    d.mkdir(parents=True)
    (d / "lexicon.txt").write_text("<SIL> SIL\n<UNK> SPN\nHIGH H\nLOW L\n")
    (d / "silence_phones.txt").write_text("SIL\nSPN\n")
    (d / "nonsilence_phones.txt").write_text("H\nL\n")
    (d / "optional_silence.txt").write_text("SIL\n")
    prepare_lang(["--position-dependent-phones", "false", "--num-nonsil-states", str(num_states),
                  "--num-sil-states", str(num_states), str(d), "<UNK>", str(root / "tmp"),
                  str(root / "lang")])
    make_grammar(["--word-loop", str(root / "lang"), str(root / "lang_test")])
    return load_lang(root / "lang_test")


def synth_utterance(words: list[str], rng: np.random.Generator) -> tuple[np.ndarray, list[tuple[str, float, float]]]:
    """Noise-floor silence, then each word as a tone of random length with silence between.

    Returns the audio and (word, start s, end s) segments."""
    parts, segs, t = [], [], 0.0
    for w in words:
        sil = rng.uniform(0.15, 0.3)
        dur = rng.uniform(0.25, 0.45)
        n_sil, n_w = int(sil * RATE), int(dur * RATE)
        parts.append(np.zeros(n_sil))
        k = np.arange(n_w) / RATE
        env = np.minimum(1.0, np.minimum(k, dur - k) / 0.02)
        parts.append(0.3 * env * np.sin(2 * np.pi * FREQS[w] * k))
        start = t + n_sil / RATE
        segs.append((w, start, start + n_w / RATE))
        t = start + n_w / RATE
    parts.append(np.zeros(int(0.2 * RATE)))
    audio = np.concatenate(parts)
    audio += 0.003 * rng.standard_normal(audio.size)
    return audio.astype(np.float32), segs


def features(audios: list[np.ndarray], repo_root: Path) -> list[np.ndarray]:
    """MFCC (conf/mfcc.yaml), mean-normalized over all utterances, plus deltas."""
    extractor = FeatureExtractor(load_feature_config(repo_root / "conf" / "mfcc.yaml"))
    feats = extractor(audios)
    mean = np.concatenate(feats).mean(0)
    return [add_deltas(f - mean) for f in feats]


@pytest.fixture(scope="module")
def tone_corpus(tmp_path_factory, request):
    """(lang, {utt: (feats, words, segments)}) of 24 synthesized utterances."""
    root = tmp_path_factory.mktemp("tones")
    lang = make_tone_lang(root)
    rng = np.random.default_rng(1)
    words = [list(rng.choice(list(FREQS), size=rng.integers(1, 4))) for _ in range(24)]
    synth = [synth_utterance(w, rng) for w in words]
    repo_root = Path(request.config.rootpath)
    feats = features([a for a, _ in synth], repo_root)
    corpus = {f"utt{i:02d}": (f, w, s) for i, (f, w, (_, s)) in enumerate(zip(feats, words, synth))}
    return lang, corpus
