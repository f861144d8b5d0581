"""Smoke test: the yes/no recipe's data, feature and lang stages, run as a user would
(the ``yesno_recipe`` fixture in tests/conftest.py runs them on a fresh copy)."""

import subprocess

import kaldiio
import numpy as np
import pytest

from asr.data.validate import validate_data_dir


@pytest.mark.parametrize("name,count", [("train_yesno", 31), ("test_yesno", 29)])
def test_data_dirs_are_valid(yesno_recipe, name, count):
    recipe = yesno_recipe
    assert validate_data_dir(recipe / "data" / name) == []
    texts = (recipe / "data" / name / "text").read_text().splitlines()
    assert len(texts) == count
    for line in texts:
        utt, *words = line.split()
        assert words == ["YES" if bit == "1" else "NO" for bit in utt.split("_")]


def test_augmented_training_set_holds_gated_copies(yesno_recipe):
    d = yesno_recipe / "data" / "fbank" / "train_yesno_aug"
    assert validate_data_dir(d) == []
    feats = dict(kaldiio.load_scp_sequential(str(d / "feats.scp")))
    originals = [u for u in feats if not u.endswith("-gate")]
    assert len(originals) == 31 and len(feats) == 62
    assert set((d / "utt2spk").read_text().split()[1::2]) == {"global"}
    quieter = 0
    for utt in originals:
        clean, gated = feats[utt], feats[utt + "-gate"]
        assert clean.shape == gated.shape
        # gated stretches fall to digital near-silence, far below the room's noise floor
        quieter += np.percentile(gated.mean(axis=1), 5) < np.percentile(clean.mean(axis=1), 5) - 3
    assert quieter >= 25


@pytest.mark.parametrize("feat,dim", [("mfcc", 13), ("fbank", None)])
def test_features_and_cmvn(yesno_recipe, feat, dim):
    recipe = yesno_recipe
    d = recipe / "data" / feat / "test_yesno"
    assert validate_data_dir(d) == []
    feats = dict(kaldiio.load_scp_sequential(str(d / "feats.scp")))
    assert len(feats) == 29
    num_frames = dict(line.split() for line in (d / "utt2num_frames").read_text().splitlines())
    for utt, mat in feats.items():
        assert int(num_frames[utt]) == mat.shape[0]
        # ~6 s recordings at a 10 ms shift
        assert 400 < mat.shape[0] < 800
        assert np.all(np.isfinite(mat))
        if dim is not None:
            assert mat.shape[1] == dim
    stats = dict(kaldiio.load_scp_sequential(str(d / "cmvn.scp")))
    total = sum(m.shape[0] for m in feats.values())
    assert sum(s[0, -1] for s in stats.values()) == pytest.approx(total)


def test_rerun_skips_completed_work(yesno_recipe):
    recipe = yesno_recipe
    r = subprocess.run(["./run.sh", "--stage", "2", "--stop-stage", "2"], cwd=recipe,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.count("has features already, skipping") == 6


def test_scripts_source_the_recipe_environment(yesno_recipe):
    """steps/ and utils/ scripts run from a recipe folder work without the caller sourcing
    path.sh (Kaldi's convention), e.g. from a shell whose PATH has no virtual environment."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(yesno_recipe)}
    for cmd in ("utils/validate_data_dir.sh data/train_yesno",
                "utils/subset_data_dir.sh --first data/train_yesno 3 data/subset3"):
        r = subprocess.run(["bash", "-c", cmd], cwd=yesno_recipe, env=env, capture_output=True,
                           text=True, timeout=300)
        assert r.returncode == 0, f"{cmd}\n{r.stderr[-2000:]}"
    assert len((yesno_recipe / "data" / "subset3" / "utt2spk").read_text().splitlines()) == 3
