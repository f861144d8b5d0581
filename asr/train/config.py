"""Training options (the ``train:`` section of an e2e config) and config resolution.

An e2e config file holds the model config (``conf/model/*.yaml``: ``input_dim``,
``encoder``, ...; or nested under ``model:``) plus optional sections ``train:`` (keys of
:class:`TrainConfig`), ``units:`` (``type``: char|word|bpe, ``bpe_vocab_size``) and
``cmvn:`` (:data:`CMVN_MODES`: ``global``, the training data's mean and variance;
``speaker``, each speaker's own, from the data dirs' ``cmvn.scp``; or ``none``).
Command-line overrides are ``dotted.key=value`` with a YAML value, e.g.
``train.max_epochs=20`` or ``model.encoder.num_blocks=4``.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from asr.augment import FeatureNoise, FeatureReverb, SpecAugment, TimeStretch
from asr.utils.yaml_config import load_config_yaml

__all__ = ["TrainConfig", "resolve_config", "apply_overrides", "CMVN_MODES"]

CMVN_MODES = ("global", "speaker", "none")

_AMP = ("auto", "none", "bf16", "fp16")
_DECAY = ("cosine", "noam", "none")
_SELECT = ("loss", "wer")


@dataclass
class TrainConfig:
    """Training options; every field is a key of the ``train:`` section.

    Attributes:
        seed (int): seeds model init, dropout, augmentation and batch order. (Default: ``0``)
        max_epochs (int): epochs to train. (Default: ``30``)
        max_steps (int or None): stop right after this many optimizer steps, writing
            nothing more (simulates a kill; for tests). (Default: ``None``)
        max_frames_per_batch (int): padded frames per batch (batch size x longest). (Default: ``6000``)
        max_utt_frames (int): drop longer training utterances. (Default: ``3000``)
        lr (float): peak learning rate. (Default: ``1e-3``)
        weight_decay (float): AdamW weight decay. (Default: ``1e-2``)
        betas (list[float]): AdamW betas. (Default: ``[0.9, 0.98]``)
        eps (float): AdamW epsilon. (Default: ``1e-8``)
        warmup_steps (int): linear warmup steps. (Default: ``500``)
        decay (str): after warmup: ``cosine`` (to ``min_lr_ratio * lr`` at the last step),
            ``noam`` (inverse square root) or ``none``. (Default: ``cosine``)
        min_lr_ratio (float): final lr fraction for ``cosine``. (Default: ``0.02``)
        grad_clip (float): max gradient norm; 0 disables clipping. (Default: ``5.0``)
        accum_grad (int): batches per optimizer step. (Default: ``1``)
        amp (str): ``auto`` (fp16 + loss scaling on CUDA, none on CPU), ``none``,
            ``bf16`` (autocast) or ``fp16`` (CUDA only). (Default: ``auto``)
        specaug (dict or None): :class:`asr.augment.SpecAugment` arguments; ``None`` disables.
        time_stretch (dict or None): :class:`asr.augment.TimeStretch` arguments (tempo
            perturbation of the features, before SpecAugment); ``None`` disables. (Default: ``None``)
        noise (dict or None): :class:`asr.augment.FeatureNoise` arguments (``min_snr``,
            ``max_snr``, ``prob``, ``babble``: additive noise in the log-mel domain, after the
            time stretch and the reverberation); ``None`` disables. (Default: ``None``)
        reverb (dict or None): :class:`asr.augment.FeatureReverb` arguments (``min_rt60``,
            ``max_rt60``, ``min_drr``, ``max_drr``, ``prob``: room reverberation in the
            log-mel domain, after the time stretch); ``None`` disables. (Default: ``None``)
        consistency_weight (float): CR-CTC: each batch is encoded twice, augmented apart
            (time stretch, reverberation and noise shared, SpecAugment drawn per copy), and this weight
            times :func:`asr.nnet.ctc.ctc_consistency_loss` is added to the mean of the
            two copies' losses; twice the compute per batch. 0 disables. (Default: ``0.0``)
        mixup_prob (float): fraction of batches mixed (:func:`asr.augment.mixup_batch`). (Default: ``0.0``)
        mixup_alpha (float): mixup Beta parameter. (Default: ``0.2``)
        checkpoint_every_steps (int): also checkpoint (``last.pt``) every this many
            steps; 0: only at epoch ends. (Default: ``200``)
        average_last (int): ``final.pt`` averages the last this many epochs. (Default: ``5``)
        select_by (str): ``best-valid.pt`` by dev ``loss`` or ``wer``. (Default: ``loss``)
        log_interval (int): steps between progress lines. (Default: ``50``)
        plot (bool): plot ``curves.png`` at the end of training. (Default: ``True``)
    """

    seed: int = 0
    max_epochs: int = 30
    max_steps: int | None = None
    max_frames_per_batch: int = 6000
    max_utt_frames: int = 3000
    lr: float = 1e-3
    weight_decay: float = 1e-2
    betas: list[float] = field(default_factory=lambda: [0.9, 0.98])
    eps: float = 1e-8
    warmup_steps: int = 500
    decay: str = "cosine"
    min_lr_ratio: float = 0.02
    grad_clip: float = 5.0
    accum_grad: int = 1
    amp: str = "auto"
    specaug: dict[str, Any] | None = field(default_factory=dict)
    time_stretch: dict[str, Any] | None = None
    noise: dict[str, Any] | None = None
    reverb: dict[str, Any] | None = None
    consistency_weight: float = 0.0
    mixup_prob: float = 0.0
    mixup_alpha: float = 0.2
    checkpoint_every_steps: int = 200
    average_last: int = 5
    select_by: str = "loss"
    log_interval: int = 50
    plot: bool = True

    def __post_init__(self) -> None:
        checks = [
            (self.max_epochs >= 1, "max_epochs must be at least 1"),
            (self.max_steps is None or self.max_steps >= 1, "max_steps must be positive or null"),
            (self.max_frames_per_batch >= 1, "max_frames_per_batch must be positive"),
            (self.lr > 0, "lr must be positive"),
            (self.warmup_steps >= 0, "warmup_steps must be non-negative"),
            (self.decay in _DECAY, f"decay must be one of {_DECAY}"),
            (self.accum_grad >= 1, "accum_grad must be at least 1"),
            (self.amp in _AMP, f"amp must be one of {_AMP}"),
            (0.0 <= self.mixup_prob <= 1.0, "mixup_prob must lie in [0, 1]"),
            (self.consistency_weight >= 0.0, "consistency_weight must be non-negative"),
            (self.consistency_weight == 0.0 or self.mixup_prob == 0.0,
             "consistency_weight and mixup_prob cannot both be set (a mixed batch has no second view)"),
            (self.checkpoint_every_steps >= 0, "checkpoint_every_steps must be non-negative"),
            (self.average_last >= 1, "average_last must be at least 1"),
            (self.select_by in _SELECT, f"select_by must be one of {_SELECT}"),
            (self.grad_clip >= 0, "grad_clip must be non-negative"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(f"train config: {message}")
        for name, cls in (("specaug", SpecAugment), ("time_stretch", TimeStretch), ("noise", FeatureNoise),
                          ("reverb", FeatureReverb)):
            _check_options(name, getattr(self, name), cls)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any] | None) -> "TrainConfig":
        """Build from the ``train:`` section; unknown keys are a ``ValueError`` naming them."""
        values = dict(values or {})
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"train config: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        for f in dataclasses.fields(cls):
            value = values.get(f.name)
            if f.type in ("int", "float") and f.name in values and (
                    isinstance(value, bool) or not isinstance(value, (int, float))):
                raise ValueError(f"train config: {f.name} must be a number, got {value!r}")
        return cls(**values)


def _check_options(name: str, options: Any, cls: type) -> None:
    """``options`` (``None`` or a mapping) may only hold keyword options of ``cls``."""
    if options is None:
        return
    if not isinstance(options, Mapping):
        raise ValueError(f"train config: {name} must be a mapping or null, got {options!r}")
    known = [p.name for p in inspect.signature(cls).parameters.values() if p.default is not inspect.Parameter.empty]
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise ValueError(f"train config: {name}: unknown key(s) {', '.join(unknown)} (known: {', '.join(known)})")


def apply_overrides(config: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """Return a copy of ``config`` with ``dotted.key=yaml-value`` overrides applied.

    Raises:
        ValueError: an override without ``=``, or a path through a non-mapping.
    """
    config = copy.deepcopy(config)
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"override {item!r} is not of the form key.path=value")
        node = config
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ValueError(f"override {item!r}: {part!r} is not a mapping")
        node[parts[-1]] = load_config_yaml(value)
    return config


def resolve_config(raw: Mapping[str, Any], overrides: Sequence[str] = ()) -> dict[str, Any]:
    """Split a loaded e2e config into ``model``, ``units``, ``cmvn`` and ``train`` sections,
    apply ``overrides`` (:func:`apply_overrides`, paths relative to that layout, e.g.
    ``model.encoder.dim=64``), complete the train section with defaults (validated) and
    default the units to characters.

    Raises:
        ValueError: a bad section or key (named).
    """
    raw = copy.deepcopy(dict(raw))
    sections = {k: raw.pop(k) for k in ("train", "units", "cmvn") if k in raw}
    raw.pop("features", None)  # a resolved config's copy of the data's feature config
    model = raw.pop("model") if "model" in raw else raw
    if model is not raw and raw:
        raise ValueError(f"config: unexpected top-level key(s) {', '.join(sorted(raw))} next to 'model'")
    if not isinstance(model, dict):
        raise ValueError("config: the model section must be a mapping")
    config = apply_overrides({"model": model, **sections}, overrides)
    units = dict(config.get("units") or {"type": "char"})
    unknown = sorted(set(units) - {"type", "bpe_vocab_size"})
    if unknown:
        raise ValueError(f"units config: unknown key(s) {', '.join(unknown)} (known: type, bpe_vocab_size)")
    cmvn = config.get("cmvn", "global")
    if cmvn not in CMVN_MODES:
        raise ValueError(f"config: cmvn must be one of {', '.join(CMVN_MODES)}, got {cmvn!r}")
    extra = sorted(set(config) - {"model", "units", "cmvn", "train"})
    if extra:
        raise ValueError(f"config: unknown section(s) {', '.join(extra)}")
    train = dataclasses.asdict(TrainConfig.from_dict(config.get("train")))
    return {"model": config["model"], "units": units, "cmvn": cmvn, "train": train}
