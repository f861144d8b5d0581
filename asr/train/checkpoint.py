"""Checkpoint files: atomic saves, random-number-generator states, averaging."""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch

from asr.utils.fileio import atomic_write

__all__ = ["save_checkpoint", "load_checkpoint", "rng_state", "set_rng_state", "average_state_dicts",
           "mean_state_dict", "epoch_checkpoints"]


def save_checkpoint(obj: Any, path: str | os.PathLike) -> None:
    """``torch.save`` to a temporary file, then rename over ``path``."""
    with atomic_write(path, "wb") as f:
        torch.save(obj, f)


def load_checkpoint(path: str | os.PathLike) -> Any:
    """``torch.load`` on CPU; ``ValueError`` naming the file if it cannot be read."""
    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except Exception as e:  # noqa: BLE001  (pickle/zip errors of many types)
        raise ValueError(f"{path}: cannot read checkpoint ({e})") from None


def rng_state() -> dict[str, Any]:
    """The states of Python's, NumPy's and torch's global generators (CUDA too when used)."""
    state = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore what :func:`rng_state` returned."""
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def average_state_dicts(paths: Sequence[str | os.PathLike]) -> dict[str, torch.Tensor]:
    """Element-wise mean of the floating-point tensors of model state dicts; other
    tensors (e.g. BatchNorm's ``num_batches_tracked``) come from the last file.

    Raises:
        ValueError: no paths, or state dicts with different keys (the file is named).
    """
    if not paths:
        raise ValueError("no checkpoints to average")
    return mean_state_dict([load_checkpoint(p) for p in paths], [str(p) for p in paths])


def mean_state_dict(states: Sequence[dict[str, torch.Tensor]], names: Sequence[str]) -> dict[str, torch.Tensor]:
    """:func:`average_state_dicts` of state dicts in memory; ``names`` (one per state
    dict) name the odd one out in the ``ValueError`` for differing keys."""
    keys = set(states[0])
    for name, state in zip(names, states):
        if set(state) != keys:
            raise ValueError(f"{name}: parameters differ from {names[0]}")
    out: dict[str, torch.Tensor] = {}
    for key, last in states[-1].items():
        if last.is_floating_point():
            acc = torch.zeros_like(last, dtype=torch.float64)
            for state in states:
                acc += state[key].double()
            out[key] = (acc / len(states)).to(last.dtype)
        else:
            out[key] = last.clone()
    return out


def epoch_checkpoints(exp_dir: str | os.PathLike) -> dict[int, Path]:
    """``epoch-N.pt`` files in ``exp_dir`` by epoch number."""
    found = {}
    for path in Path(exp_dir).glob("epoch-*.pt"):
        number = path.stem[len("epoch-"):]
        if number.isdigit():
            found[int(number)] = path
    return dict(sorted(found.items()))
