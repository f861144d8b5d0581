"""Feature configs: Kaldi's fbank/MFCC options as dataclasses, loaded from YAML.

Option names and defaults are Kaldi's (``compute-fbank-feats``/``compute-mfcc-feats``,
with ``-`` written ``_``); a recipe's ``conf/fbank.yaml`` or ``conf/mfcc.yaml`` sets the
values it needs. A YAML file may name its kind with ``feature_type: fbank|mfcc``.
Unknown keys are an error naming the key and the file; command-line flags (see
:func:`add_config_arguments`) override the YAML.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from dataclasses import dataclass
from typing import Any, ClassVar

import yaml

from asr.utils.cli import shell_bool
from asr.utils.fileio import atomic_write
from asr.utils.yaml_config import load_config_yaml

__all__ = [
    "FeatureConfig",
    "FbankConfig",
    "MfccConfig",
    "FEATURE_CONFIGS",
    "WINDOW_TYPES",
    "load_feature_config",
    "make_feature_config",
    "dump_feature_config",
    "save_feature_config",
    "config_to_dict",
    "add_config_arguments",
    "config_overrides",
]

WINDOW_TYPES = ("povey", "hamming", "hanning", "rectangular", "blackman")


@dataclass(frozen=True, kw_only=True)
class FeatureConfig:
    """Options shared by fbank and MFCC (Kaldi's frame-extraction, mel and energy options).

    Args:
        sample_frequency (float): audio rate in Hz; audio at other rates is resampled. (Default: ``16000``)
        frame_length (float): frame length in ms. (Default: ``25``)
        frame_shift (float): frame shift in ms. (Default: ``10``)
        dither (float): std of Gaussian noise added to each sample (int16 scale); 0 disables. (Default: ``1.0``)
        preemphasis_coefficient (float): in [0, 1]. (Default: ``0.97``)
        remove_dc_offset (bool): subtract each frame's mean. (Default: ``True``)
        window_type (str): povey, hamming, hanning, rectangular or blackman. (Default: ``"povey"``)
        blackman_coeff (float): constant of the generalized Blackman window. (Default: ``0.42``)
        round_to_power_of_two (bool): zero-pad frames to a power of two for the FFT. (Default: ``True``)
        snip_edges (bool): only frames that fit in the audio; false: reflect at the ends and
            ``round(num_samples / shift)`` frames. (Default: ``True``)
        num_mel_bins (int): triangular mel bins. (Default: ``23``)
        low_freq (float): low cutoff of the mel bins in Hz. (Default: ``20``)
        high_freq (float): high cutoff in Hz; ``<= 0`` is an offset from Nyquist. (Default: ``0``)
        use_energy (bool): fbank: prepend the log energy; MFCC: replace C0 with it.
        energy_floor (float): floor on the energy (absolute, not log); 0 disables. (Default: ``0``)
        raw_energy (bool): energy before pre-emphasis and windowing. (Default: ``True``)
    """

    feature_type: ClassVar[str] = ""

    sample_frequency: float = 16000.0
    frame_length: float = 25.0
    frame_shift: float = 10.0
    dither: float = 1.0
    preemphasis_coefficient: float = 0.97
    remove_dc_offset: bool = True
    window_type: str = "povey"
    blackman_coeff: float = 0.42
    round_to_power_of_two: bool = True
    snip_edges: bool = True
    num_mel_bins: int = 23
    low_freq: float = 20.0
    high_freq: float = 0.0
    use_energy: bool = False
    energy_floor: float = 0.0
    raw_energy: bool = True

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if not _type_ok(value, f.type):
                raise ValueError(f"{f.name} must be of type {f.type}, got {value!r}")
        if self.sample_frequency <= 0:
            raise ValueError(f"sample_frequency must be positive, got {self.sample_frequency}")
        if self.frame_shift <= 0 or self.frame_length <= 0:
            raise ValueError("frame_length and frame_shift must be positive")
        if self.dither < 0 or self.energy_floor < 0:
            raise ValueError("dither and energy_floor must be >= 0")
        if not 0.0 <= self.preemphasis_coefficient <= 1.0:
            raise ValueError(f"preemphasis_coefficient must be in [0, 1], got {self.preemphasis_coefficient}")
        if self.window_type not in WINDOW_TYPES:
            raise ValueError(f"window_type must be one of {', '.join(WINDOW_TYPES)}, got {self.window_type!r}")
        if self.num_mel_bins < 3:
            raise ValueError(f"num_mel_bins must be at least 3, got {self.num_mel_bins}")
        # Geometry and mel-bank checks (window size, empty bins) live with the code that uses them.
        from asr.features.frames import frame_geometry
        from asr.features.mel import mel_banks

        geometry = frame_geometry(self)
        mel_banks(self.num_mel_bins, geometry.padded_window_size, self.sample_frequency,
                  self.low_freq, self.high_freq)

    @property
    def sample_rate(self) -> int:
        """``sample_frequency`` as an int, for :class:`asr.data.audio.AudioReader`."""
        return int(round(self.sample_frequency))


@dataclass(frozen=True, kw_only=True)
class FbankConfig(FeatureConfig):
    """Kaldi ``compute-fbank-feats`` options: those of :class:`FeatureConfig` plus

    Args:
        use_log_fbank (bool): log of the mel energies (floored at float32 epsilon). (Default: ``True``)
        use_power (bool): power spectrum; false: magnitude. (Default: ``True``)
    """

    feature_type: ClassVar[str] = "fbank"

    use_log_fbank: bool = True
    use_power: bool = True

    @property
    def dim(self) -> int:
        """Feature dimension: ``num_mel_bins + use_energy``."""
        return self.num_mel_bins + int(self.use_energy)


@dataclass(frozen=True, kw_only=True)
class MfccConfig(FeatureConfig):
    """Kaldi ``compute-mfcc-feats`` options: those of :class:`FeatureConfig` plus

    Args:
        num_ceps (int): cepstra kept, C0 included; at most ``num_mel_bins``. (Default: ``13``)
        cepstral_lifter (float): liftering constant Q; 0 disables. (Default: ``22``)
        use_energy (bool): C0 replaced by the log energy (Kaldi's MFCC default). (Default: ``True``)
    """

    feature_type: ClassVar[str] = "mfcc"

    use_energy: bool = True
    num_ceps: int = 13
    cepstral_lifter: float = 22.0

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 1 <= self.num_ceps <= self.num_mel_bins:
            raise ValueError(f"num_ceps must be in [1, num_mel_bins={self.num_mel_bins}], got {self.num_ceps}")
        if self.cepstral_lifter < 0:
            raise ValueError(f"cepstral_lifter must be >= 0, got {self.cepstral_lifter}")

    @property
    def dim(self) -> int:
        """Feature dimension: ``num_ceps``."""
        return self.num_ceps


FEATURE_CONFIGS: dict[str, type[FeatureConfig]] = {"fbank": FbankConfig, "mfcc": MfccConfig}


def _type_ok(value: Any, type_name: str | type) -> bool:
    name = type_name if isinstance(type_name, str) else type_name.__name__
    if name == "bool":
        return isinstance(value, bool)
    if name == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, str)


def make_feature_config(feature_type: str, options: dict[str, Any], source: str = "options") -> FeatureConfig:
    """Build the config class registered as ``feature_type`` from ``options``.

    Ints are accepted for float options. ``source`` names where the options came from in
    error messages.

    Raises:
        ValueError: unknown ``feature_type``, unknown key, wrong type or bad value.
    """
    if feature_type not in FEATURE_CONFIGS:
        raise ValueError(f"{source}: feature_type must be one of {', '.join(FEATURE_CONFIGS)}, got {feature_type!r}")
    cls = FEATURE_CONFIGS[feature_type]
    known = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in options.items():
        if key not in known:
            raise ValueError(f"{source}: unknown key {key!r} for {feature_type} features "
                             f"(known: {', '.join(sorted(known))})")
        if known[key].type == "float" and _type_ok(value, "int"):
            value = float(value)
        values[key] = value
    try:
        return cls(**values)
    except ValueError as e:
        raise ValueError(f"{source}: {e}") from None


def load_feature_config(
    path: str | os.PathLike | None,
    feature_type: str | None = None,
    overrides: dict[str, Any] | None = None,
) -> FeatureConfig:
    """Load a feature config from YAML, then apply ``overrides``.

    Args:
        path (str or PathLike or None): YAML file; ``None`` means Kaldi's defaults only.
        feature_type (str or None): ``fbank`` or ``mfcc``; must agree with the file's
            ``feature_type`` when both are given. (Default: ``None``)
        overrides (dict or None): option values that replace the file's. (Default: ``None``)

    Raises:
        ValueError: unreadable YAML, unknown key (naming key and file), conflicting or
            missing feature type, bad value.
    """
    options: dict[str, Any] = {}
    source = str(path) if path is not None else "defaults"
    if path is not None:
        try:
            with open(path, encoding="utf-8") as f:
                loaded = load_config_yaml(f)
        except (OSError, yaml.YAMLError) as e:
            raise ValueError(f"{path}: cannot read feature config: {e}") from None
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ValueError(f"{path}: a feature config must be a mapping of option: value")
        options = dict(loaded)
    file_type = options.pop("feature_type", None)
    if feature_type is not None and file_type is not None and feature_type != file_type:
        raise ValueError(f"{source}: feature_type is {file_type!r}, but {feature_type!r} was asked for")
    chosen = feature_type or file_type
    if chosen is None:
        raise ValueError(f"{source}: no feature_type in the file and none given")
    if chosen not in FEATURE_CONFIGS:
        raise ValueError(f"{source}: feature_type must be one of {', '.join(FEATURE_CONFIGS)}, got {chosen!r}")
    known = {f.name for f in dataclasses.fields(FEATURE_CONFIGS[chosen])}
    for key in overrides or {}:
        if key not in known:
            raise ValueError(f"command line: option {key!r} does not apply to {chosen} features")
    options.update(overrides or {})
    return make_feature_config(chosen, options, source)


def config_to_dict(config: FeatureConfig) -> dict[str, Any]:
    """``feature_type`` first, then every option (the resolved config)."""
    return {"feature_type": config.feature_type, **dataclasses.asdict(config)}


def dump_feature_config(config: FeatureConfig) -> str:
    """The resolved config as YAML text; :func:`load_feature_config` reads it back."""
    return yaml.safe_dump(config_to_dict(config), sort_keys=False)


def save_feature_config(config: FeatureConfig, path: str | os.PathLike) -> None:
    """Write :func:`dump_feature_config` to ``path`` (atomically)."""
    with atomic_write(path) as f:
        f.write(dump_feature_config(config))


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    """Add one ``--option-name`` flag per option of every feature type (default: from the YAML)."""
    group = parser.add_argument_group("feature options (override the YAML config)")
    seen: set[str] = set()
    for cls in FEATURE_CONFIGS.values():
        for f in dataclasses.fields(cls):
            if f.name in seen:
                continue
            seen.add(f.name)
            kind = {"bool": shell_bool, "int": int, "float": float}.get(str(f.type), str)
            group.add_argument(f"--{f.name.replace('_', '-')}", dest=f"opt_{f.name}", type=kind,
                               default=None, metavar="true|false" if kind is shell_bool else f.name.upper(),
                               help=f"Kaldi default: {f.default}")


def config_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The feature options given on the command line (see :func:`add_config_arguments`)."""
    return {key[4:]: value for key, value in vars(args).items()
            if key.startswith("opt_") and value is not None}
