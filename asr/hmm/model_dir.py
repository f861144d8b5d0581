"""A GMM-HMM model dir (``exp/mono``): what decoding and alignment need besides the model.

Files: ``final.mdl``; ``hmm.yaml`` (``model_type: gmm``, the CMVN and delta options);
``feats.yaml`` (the feature config the training data used); a copy of the lang dir's
``phones.txt``, ``words.txt``, ``topo`` and ``phones/``; ``graph*/`` after mkgraph.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import yaml

from asr.hmm.feats import FeatureOptions
from asr.hmm.model import AcousticModel, load_model
from asr.utils.fileio import atomic_write

__all__ = ["write_model_dir", "copy_lang_and_features", "load_model_dir"]


def write_model_dir(out: str | os.PathLike, model: AcousticModel, options: FeatureOptions,
                    lang_dir: str | os.PathLike, feats_yaml: str | os.PathLike | None) -> None:
    """Write ``final.mdl``, ``hmm.yaml``, ``feats.yaml`` (when given) and the lang copies."""
    out, lang_dir = Path(out), Path(lang_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.write(out / "final.mdl")
    with atomic_write(out / "hmm.yaml") as f:
        yaml.safe_dump({"model_type": "gmm", "norm_vars": options.norm_vars,
                        "delta_order": options.delta_order}, f, sort_keys=False)
    copy_lang_and_features(out, lang_dir, feats_yaml)


def copy_lang_and_features(out: Path, lang_dir: str | os.PathLike, feats_yaml: str | os.PathLike | None) -> None:
    """Copy what decoding with a model dir needs besides the model: the lang dir's
    ``phones.txt``, ``words.txt``, ``topo`` and ``phones/``, and ``feats.yaml`` when given."""
    lang_dir = Path(lang_dir)
    if feats_yaml is not None:
        shutil.copyfile(feats_yaml, out / "feats.yaml")
    for name in ("phones.txt", "words.txt", "topo"):
        shutil.copyfile(lang_dir / name, out / name)
    shutil.copytree(lang_dir / "phones", out / "phones", dirs_exist_ok=True)


def load_model_dir(path: str | os.PathLike) -> tuple[AcousticModel, FeatureOptions]:
    """Read ``final.mdl`` and ``hmm.yaml``.

    Raises:
        ValueError: a missing or malformed file (named).
    """
    path = Path(path)
    for name in ("final.mdl", "hmm.yaml"):
        if not (path / name).is_file():
            raise ValueError(f"{path}: no {name} (not a GMM-HMM model dir)")
    with open(path / "hmm.yaml", encoding="utf-8") as f:
        meta = yaml.safe_load(f) or {}
    if meta.get("model_type") != "gmm":
        raise ValueError(f"{path / 'hmm.yaml'}: model_type is {meta.get('model_type')!r}, "
                         "expected 'gmm'")
    try:
        options = FeatureOptions(norm_vars=bool(meta["norm_vars"]),
                                 delta_order=int(meta["delta_order"]))
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"{path / 'hmm.yaml'}: bad or missing key ({e})") from None
    return load_model(path / "final.mdl"), options
