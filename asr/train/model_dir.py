"""An end-to-end model dir (``exp/<model>``): what decoding needs, and how to load it.

Files: ``config.yaml`` (resolved: ``model`` = the :func:`asr.nnet.build_model` config with
``input_dim`` and ``vocab_size`` filled in, ``units`` = ``{type, ...}``, ``features`` = the
training data's ``conf/feats.yaml``, ``cmvn`` = ``global``, ``speaker`` or ``none``,
``train`` = the training options); ``units.txt`` (+ ``bpe.model``); ``cmvn_global.mat``
(with ``global``: Kaldi stats of the training data, applied as global mean and variance
normalization; ``speaker`` takes each decoded speaker's stats from its data dir instead);
``final.pt`` (averaged weights), ``best-valid.pt``, ``epoch-N.pt`` (each a plain
``ASRModel`` state dict); ``last.pt`` (full training state for resume); ``log/``;
``curves.png``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import kaldiio
import numpy as np
import yaml

from asr.nnet import ASRModel, build_model
from asr.train.checkpoint import load_checkpoint
from asr.units import Units, load_units
from asr.utils.fileio import atomic_write
from asr.utils.yaml_config import load_config_yaml

__all__ = ["write_config", "read_config", "load_model_dir", "load_cmvn"]


def write_config(model_dir: str | os.PathLike, config: dict[str, Any]) -> None:
    """Write the resolved ``config.yaml`` atomically."""
    with atomic_write(Path(model_dir) / "config.yaml") as f:
        yaml.safe_dump(config, f, sort_keys=False)


def read_config(model_dir: str | os.PathLike) -> dict[str, Any]:
    """Read ``config.yaml``; ``ValueError`` naming it when missing or malformed."""
    path = Path(model_dir) / "config.yaml"
    if not path.is_file():
        raise ValueError(f"{model_dir}: no config.yaml (not an e2e model dir)")
    with open(path, encoding="utf-8") as f:
        config = load_config_yaml(f)
    for key in ("model", "units", "features", "cmvn"):
        if not isinstance(config, dict) or key not in config:
            raise ValueError(f"{path}: no {key!r} section")
    return config


def load_cmvn(model_dir: str | os.PathLike, config: dict[str, Any]) -> np.ndarray | None:
    """The ``(2, D + 1)`` global CMVN stats when ``config['cmvn'] == 'global'``, else ``None``."""
    if config["cmvn"] != "global":  # none, or speaker: stats from the data dir decoded
        return None
    path = Path(model_dir) / "cmvn_global.mat"
    if not path.is_file():
        raise ValueError(f"{model_dir}: cmvn is 'global' but there is no cmvn_global.mat")
    return np.asarray(kaldiio.load_mat(str(path)), dtype=np.float64)


def load_model_dir(
    path: str | os.PathLike, checkpoint: str = "final.pt"
) -> tuple[ASRModel, Units, dict[str, Any]]:
    """Load an e2e model dir for decoding.

    Args:
        path (str or PathLike): the model dir.
        checkpoint (str): weights file in it, e.g. ``best-valid.pt``. (Default: ``final.pt``)

    Returns:
        (ASRModel, Units, dict): the model in eval mode on CPU, its units, and the resolved
        config (``config["features"]`` is the feature config; get the CMVN stats with
        :func:`load_cmvn`).

    Raises:
        ValueError: a missing or inconsistent file (named).
    """
    path = Path(path)
    config = read_config(path)
    units = load_units(path, config["units"]["type"])
    if config["model"].get("vocab_size") != len(units):
        raise ValueError(
            f"{path}: config.yaml has vocab_size {config['model'].get('vocab_size')} but units.txt has {len(units)} units"
        )
    weights = path / checkpoint
    if not weights.is_file():
        raise ValueError(f"{path}: no {checkpoint}")
    model = build_model(config["model"])
    try:
        model.load_state_dict(load_checkpoint(weights))
    except RuntimeError as e:
        raise ValueError(f"{weights}: does not fit the model in config.yaml ({e})") from None
    model.eval()
    return model, units, config
