"""A hybrid DNN model dir (``exp/dnn``), self-contained like a GMM-HMM one.

Files: ``final.pt`` (network config and weights, from the best dev-accuracy epoch);
``hmm.yaml`` (``model_type: dnn`` and the per-speaker CMVN options); ``global_cmvn.mat``
(Kaldi CMVN stats of the training features, for input normalization); ``priors.txt``
(state priors, a Kaldi text vector); ``final.mdl`` (the GMM whose alignments trained the
network: its transition model maps pdfs to transition ids, and ``utils/mkgraph.sh`` reads
it to build the graph); ``feats.yaml``; the lang dir's ``phones.txt``, ``words.txt``,
``topo``, ``phones/``; ``graph*/`` after mkgraph.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import kaldiio
import numpy as np
import torch
import yaml

from asr.dnn.decodable import DnnAcousticModel
from asr.dnn.tdnn import Tdnn
from asr.features.cmvn import write_global_cmvn_stats
from asr.hmm.feats import FeatureOptions
from asr.hmm.model import load_model
from asr.hmm.model_dir import copy_lang_and_features
from asr.utils.fileio import atomic_write

__all__ = ["is_dnn_model_dir", "write_dnn_model_dir", "load_dnn_model_dir", "write_priors",
           "read_priors", "save_network", "load_network"]


def is_dnn_model_dir(path: str | os.PathLike) -> bool:
    """True when ``<path>/hmm.yaml`` says ``model_type: dnn``."""
    try:
        with open(Path(path) / "hmm.yaml", encoding="utf-8") as f:
            meta = yaml.safe_load(f)
    except (OSError, yaml.YAMLError):
        return False
    return isinstance(meta, dict) and meta.get("model_type") == "dnn"


def write_priors(priors: np.ndarray, path: str | os.PathLike) -> None:
    """Write a Kaldi text vector ``[ p0 p1 ... ]`` atomically."""
    with atomic_write(path) as f:
        f.write("[ " + " ".join(f"{p:.9g}" for p in priors) + " ]\n")


def read_priors(path: str | os.PathLike) -> np.ndarray:
    """Read :func:`write_priors`' format (``ValueError`` naming the file when malformed)."""
    try:
        text = Path(path).read_text(encoding="utf-8").split()
        if len(text) < 3 or text[0] != "[" or text[-1] != "]":
            raise ValueError("expected '[ p0 p1 ... ]'")
        return np.array([float(x) for x in text[1:-1]])
    except (OSError, ValueError) as e:
        raise ValueError(f"{path}: not a prior vector ({e})") from None


def save_network(net: Tdnn, config: dict, path: str | os.PathLike) -> None:
    """Save the network's constructor arguments and weights atomically."""
    with atomic_write(path, "wb") as f:
        torch.save({"config": config, "state_dict": net.state_dict()}, f)


def load_network(path: str | os.PathLike) -> Tdnn:
    """Rebuild a network saved by :func:`save_network` (``ValueError`` naming the file)."""
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
        net = Tdnn(**saved["config"])
        net.load_state_dict(saved["state_dict"])
    except (OSError, KeyError, TypeError, RuntimeError, ValueError) as e:
        raise ValueError(f"{path}: not a readable TDNN ({e})") from None
    return net.eval()


def write_dnn_model_dir(out: str | os.PathLike, net: Tdnn, net_config: dict,
                        global_cmvn: np.ndarray, priors: np.ndarray, options: FeatureOptions,
                        ali_dir: str | os.PathLike, lang_dir: str | os.PathLike,
                        feats_yaml: str | os.PathLike | None) -> None:
    """Write every file of the model dir except ``dnn.yaml`` and the logs (the trainer's)."""
    out, ali_dir, lang_dir = Path(out), Path(ali_dir), Path(lang_dir)
    out.mkdir(parents=True, exist_ok=True)
    save_network(net, net_config, out / "final.pt")
    with atomic_write(out / "hmm.yaml") as f:
        yaml.safe_dump({"model_type": "dnn", "norm_vars": options.norm_vars,
                        "delta_order": options.delta_order}, f, sort_keys=False)
    write_global_cmvn_stats(global_cmvn, out / "global_cmvn.mat")
    write_priors(priors, out / "priors.txt")
    for name in ("final.mdl", "tree"):  # a context-dependent GMM also has a tree
        if (ali_dir / name).is_file():
            shutil.copyfile(ali_dir / name, out / name)
    copy_lang_and_features(out, lang_dir, feats_yaml)


def load_dnn_model_dir(path: str | os.PathLike, prior_scale: float = 1.0
                       ) -> tuple[DnnAcousticModel, FeatureOptions]:
    """Read a DNN model dir; ``prior_scale`` as in :class:`DnnAcousticModel`.

    Returns:
        (DnnAcousticModel, FeatureOptions): the model and the per-speaker CMVN options
        its inputs need (:func:`asr.hmm.feats.iter_features`).

    Raises:
        ValueError: a missing or malformed file (named).
    """
    path = Path(path)
    for name in ("final.pt", "hmm.yaml", "final.mdl", "priors.txt", "global_cmvn.mat"):
        if not (path / name).is_file():
            raise ValueError(f"{path}: no {name} (not a DNN model dir)")
    if not is_dnn_model_dir(path):
        raise ValueError(f"{path / 'hmm.yaml'}: model_type is not 'dnn'")
    with open(path / "hmm.yaml", encoding="utf-8") as f:
        meta = yaml.safe_load(f)
    try:
        options = FeatureOptions(norm_vars=bool(meta["norm_vars"]),
                                 delta_order=int(meta["delta_order"]))
        global_cmvn = kaldiio.load_mat(str(path / "global_cmvn.mat"))
    except (KeyError, TypeError, ValueError, OSError) as e:
        raise ValueError(f"{path}: bad hmm.yaml or global_cmvn.mat ({e})") from None
    model = DnnAcousticModel(load_model(path / "final.mdl").trans, load_network(path / "final.pt"),
                             global_cmvn, read_priors(path / "priors.txt"), prior_scale)
    return model, options
