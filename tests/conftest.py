"""Shared fixtures: repository root, corpus roots, small real audio written by the test."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile

REPO_ROOT = Path(__file__).resolve().parent.parent


def _corpus_root(env: str, name: str) -> Path:
    root = Path(os.environ.get(env, REPO_ROOT.parent / "shared" / "corpora" / name))
    if not root.is_dir():
        pytest.fail(f"corpus {name} not found at {root}: set {env}")
    return root


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def fsdd_root() -> Path:
    """Folder holding FSDD's ``recordings/`` (``$FSDD_ROOT`` or ../shared/corpora/fsdd)."""
    return _corpus_root("FSDD_ROOT", "fsdd")


@pytest.fixture(scope="session")
def yesno_root() -> Path:
    """Folder holding ``waves_yesno/`` (``$YESNO_ROOT`` or ../shared/corpora/yesno)."""
    return _corpus_root("YESNO_ROOT", "yesno")


def write_tone(path: Path, seconds: float = 0.5, rate: int = 8000, freq: float = 440.0,
               channels: int = 1) -> Path:
    """Write a real 16-bit PCM sine tone (plus a little noise) and return its path."""
    t = np.arange(int(seconds * rate)) / rate
    rng = np.random.default_rng(0)
    mono = 0.3 * np.sin(2 * np.pi * freq * t) + 0.01 * rng.standard_normal(t.size)
    data = np.stack([mono] * channels, axis=1) if channels > 1 else mono
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, data, rate, subtype="PCM_16")
    return path


@pytest.fixture
def tiny_data_dir(tmp_path: Path) -> Path:
    """A valid 2-speaker, 4-utterance data dir over tone wavs the fixture writes."""
    d = tmp_path / "data"
    d.mkdir()
    utts = {"spkA_u1": "spkA", "spkA_u2": "spkA", "spkB_u1": "spkB", "spkB_u2": "spkB"}
    words = {"spkA_u1": "ONE TWO", "spkA_u2": "THREE", "spkB_u1": "FOUR FIVE", "spkB_u2": "SIX"}
    with open(d / "wav.scp", "w") as scp, open(d / "utt2spk", "w") as u2s, open(d / "text", "w") as txt:
        for i, (utt, spk) in enumerate(utts.items()):
            wav = write_tone(tmp_path / "wav" / f"{utt}.wav", freq=300.0 + 100 * i)
            scp.write(f"{utt} {wav}\n")
            u2s.write(f"{utt} {spk}\n")
            txt.write(f"{utt} {words[utt]}\n")
    (d / "spk2utt").write_text("spkA spkA_u1 spkA_u2\nspkB spkB_u1 spkB_u2\n")
    return d


def run_in_recipe(cmd: str, cwd: Path, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``cmd`` with bash in a recipe dir after ``. ./path.sh``, one thread per process."""
    r = subprocess.run(["bash", "-c", ". ./path.sh && " + cmd], cwd=cwd, capture_output=True, text=True,
                       timeout=timeout, env={**os.environ, "OMP_NUM_THREADS": "1"})
    if check:
        assert r.returncode == 0, f"{cmd}\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}"
    return r


def copy_recipe(src: Path, dest: Path) -> Path:
    """What ``cp -r egs/yesno egs/mycorpus`` gives: the recipe's own files, no outputs, and
    steps/ utils/ links to this repository's."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("steps", "utils"):
        os.symlink(REPO_ROOT / name, dest / name)
    for name in ("conf", "local"):
        shutil.copytree(src / name, dest / name)
    for name in ("run.sh", "path.sh", "cmd.sh"):
        shutil.copy2(src / name, dest / name)
    return dest


@pytest.fixture(scope="session")
def yesno_recipe(yesno_root, tmp_path_factory) -> Path:
    """A copy of egs/yesno run through stage 3 (data dirs, MFCC and fbank with CMVN, lang dir
    and word-loop grammar), shared by the tests that build systems on it."""
    d = copy_recipe(REPO_ROOT / "egs" / "yesno", tmp_path_factory.mktemp("yesno") / "recipe")
    run_in_recipe(f"./run.sh --stage 0 --stop-stage 3 --yesno-root {yesno_root}", d)
    return d


@pytest.fixture(scope="session")
def yesno_mono(yesno_recipe) -> Path:
    """``yesno_recipe`` with a small monophone system (exp/mono) and its alignments of
    train_yesno (exp/mono_ali)."""
    run_in_recipe("steps/train_mono.sh --num-iters 10 --max-iter-inc 8 --totgauss 100 "
                  "--realign-iters '1 2 3 5 7 9' data/mfcc/train_yesno data/lang exp/mono && "
                  "steps/align.sh data/mfcc/train_yesno data/lang exp/mono exp/mono_ali", yesno_recipe)
    return yesno_recipe
