"""A 2-process DDP step on CPU (gloo) equals one process on the combined batch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch
from conftest import write_feats_dir

WORKER = Path(__file__).with_name("ddp_worker.py")
REPO = Path(__file__).resolve().parents[2]


def _run(args: list[str]) -> None:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    proc = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_two_process_step_equals_single_process_on_combined_batch(tmp_path):
    rng = np.random.default_rng(0)
    words = ["ONE", "TWO", "ONE TWO", "TWO TWO"]
    utts = {f"spk{i % 2}_{i}": (rng.normal(size=(20, 8)).astype(np.float32), words[i]) for i in range(4)}
    train = write_feats_dir(tmp_path / "train", utts)
    dev = write_feats_dir(tmp_path / "dev", dict(list(utts.items())[:2]))
    # 40 padded frames per batch: two batches of two 20-frame utterances, one per rank
    _run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2", str(WORKER),
          str(train), str(dev), str(tmp_path / "ddp"), "40", str(tmp_path / "ddp_rank{rank}.pt")])
    _run([sys.executable, str(WORKER), str(train), str(dev), str(tmp_path / "single"), "80",
          str(tmp_path / "single.pt")])
    rank0, rank1 = (torch.load(tmp_path / f"ddp_rank{r}.pt") for r in (0, 1))
    single = torch.load(tmp_path / "single.pt")
    for key, value in single.items():
        assert torch.equal(rank0[key], rank1[key]), key
        assert torch.allclose(rank0[key], value, atol=1e-6, rtol=1e-5), key
    # the step changed the weights (else the comparison proves nothing)
    torch.manual_seed(0)
    from asr.nnet import build_model
    from asr.train.config import resolve_config
    from conftest import tiny_config

    config = resolve_config(tiny_config(conv_norm="layer_norm", dropout=0.0))["model"]
    init = build_model({**config, "vocab_size": 5}).state_dict()
    initial_differs = any(not torch.allclose(init[k], single[k]) for k in single if single[k].is_floating_point())
    assert initial_differs
