"""local/train_conformers.sh (the FSDD recipe's stage 7 trainer) on real yes/no audio: seeds
trained side by side on one thread each, a lone seed on --nj threads, finished models
kept on a rerun, and a failed training reported with a non-zero exit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch
import yaml

from asr.train.checkpoint import load_checkpoint
from tests.conftest import REPO_ROOT, copy_recipe, run_in_recipe
from tests.train.test_train_speed_perturb import TINY_MODEL


@pytest.fixture
def recipe(yesno_recipe, tmp_path) -> Path:
    d = copy_recipe(REPO_ROOT / "egs" / "yesno", tmp_path / "recipe")
    os.symlink(REPO_ROOT / "local" / "train_conformers.sh", d / "local" / "train_conformers.sh")
    run_in_recipe(f"utils/subset_data_dir.sh --first {yesno_recipe}/data/fbank/train_yesno 4 data/train", d)
    (d / "tiny.yaml").write_text(yaml.safe_dump(TINY_MODEL))
    return d


def _run(recipe: Path, yesno_recipe: Path, args: str, check: bool = True):
    return run_in_recipe(f"local/train_conformers.sh --train-config tiny.yaml {args} data/train "
                         f"{yesno_recipe}/data/fbank/test_yesno", recipe, check=check)


def _threads(model_dir: Path) -> str:
    command = next(line for line in (model_dir / "log" / "train.log").read_text().splitlines() if "command:" in line)
    return command.split("--num-threads ")[1].split()[0]


def test_seeds_side_by_side_then_kept(recipe, yesno_recipe):
    r = _run(recipe, yesno_recipe, '--nj 2 "0 3"')
    first, third = recipe / "exp" / "conformer_ctc", recipe / "exp" / "conformer_ctc_seed3"
    assert _threads(first) == "1" and _threads(third) == "1"
    assert r.stdout.count("trained in") == 2
    a, b = (load_checkpoint(d / "final.pt") for d in (first, third))
    assert a.keys() == b.keys()
    assert any(not torch.equal(a[k], b[k]) for k in a), "seeds 0 and 3 trained the same weights"
    mtime = (first / "final.pt").stat().st_mtime_ns
    r = _run(recipe, yesno_recipe, '--nj 2 "0 3"')
    assert "training exp/" not in r.stdout and (first / "final.pt").stat().st_mtime_ns == mtime


def test_lone_seed_gets_all_threads_and_failure_exits_nonzero(recipe, yesno_recipe):
    (recipe / "tiny.yaml").write_text(yaml.safe_dump({**TINY_MODEL, "no_such_key": 1}))
    r = _run(recipe, yesno_recipe, '--nj 2 "0"', check=False)
    assert r.returncode == 1
    assert "a conformer failed to train; see exp/conformer_ctc*/log/train_e2e.log" in r.stderr
    assert _threads(recipe / "exp" / "conformer_ctc") == "2"
    assert not (recipe / "exp" / "conformer_ctc" / "final.pt").exists()
