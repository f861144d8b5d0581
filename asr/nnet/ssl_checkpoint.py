"""Self-describing checkpoint files of wav2vec 2.0 / HuBERT models, for the SSL front ends.

A checkpoint is a ``torch.save``'d dict, read back with ``weights_only=True``::

    {"format": "asr.ssl_checkpoint", "version": 1,
     "kind": "wav2vec2" or "hubert",     # must match the front end's type
     "sample_rate": 16000,               # rate of the audio the model was trained on
     "normalize_waveform": False,        # True: each utterance to zero mean, unit variance
                                         #   (torchaudio's large / XLS-R bundles)
     "model_args": {...},                # keyword arguments of torchaudio.models.wav2vec2_model
     "state_dict": {...}}                # that model's weights

HuBERT and wav2vec 2.0 share torchaudio's ``Wav2Vec2Model``; ``kind`` only guards against
a config naming the wrong model. Write one with :func:`save_ssl_checkpoint` (given or
random weights), :func:`convert_bundle` (a torchaudio bundle such as ``HUBERT_BASE``,
weights from torchaudio's download cache or from a saved ``bundle.get_model().state_dict()``),
or ``python -m asr.bin.save_ssl_checkpoint``. Nothing is downloaded here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import torch
import torchaudio
from torchaudio.models import Wav2Vec2Model, wav2vec2_model

__all__ = ["SSL_KINDS", "SSLCheckpoint", "save_ssl_checkpoint", "load_ssl_checkpoint", "convert_bundle"]

FORMAT = "asr.ssl_checkpoint"
VERSION = 1
#: Model kinds a checkpoint may hold (the front end types).
SSL_KINDS = ("wav2vec2", "hubert")


@dataclass
class SSLCheckpoint:
    """A loaded checkpoint: the model (eval mode, CPU) and how to feed it."""

    model: Wav2Vec2Model
    sample_rate: int
    normalize_waveform: bool


def _build(model_args: Mapping[str, Any], what: str) -> Wav2Vec2Model:
    try:
        return wav2vec2_model(**model_args)
    except TypeError as e:
        raise ValueError(f"{what}: model_args do not fit torchaudio.models.wav2vec2_model: {e}") from None


def save_ssl_checkpoint(
    path: str | os.PathLike,
    kind: str,
    model_args: Mapping[str, Any],
    state_dict: Mapping[str, torch.Tensor] | None = None,
    sample_rate: int = 16000,
    normalize_waveform: bool = False,
) -> None:
    """Write a checkpoint file (the format of this module's docstring).

    Args:
        path (str or PathLike): output file.
        kind (str): ``wav2vec2`` or ``hubert``.
        model_args (Mapping): :func:`torchaudio.models.wav2vec2_model` keyword arguments.
        state_dict (Mapping or None): the weights; ``None`` for a random initialization
            (seed torch first for a reproducible one). (Default: ``None``)
        sample_rate (int): the model's audio rate. (Default: ``16000``)
        normalize_waveform (bool): normalize each utterance before the model. (Default: ``False``)

    Raises:
        ValueError: a bad kind or rate, or weights that do not fit ``model_args``.
    """
    if kind not in SSL_KINDS:
        raise ValueError(f"kind must be one of {', '.join(SSL_KINDS)}, got {kind!r}")
    if sample_rate <= 0:
        raise ValueError(f"sample_rate must be positive, got {sample_rate}")
    model = _build(model_args, str(path))
    if state_dict is not None:
        try:
            model.load_state_dict(state_dict)
        except RuntimeError as e:
            raise ValueError(f"{path}: the weights do not fit model_args: {e}") from None
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    torch.save({"format": FORMAT, "version": VERSION, "kind": kind, "sample_rate": int(sample_rate),
                "normalize_waveform": bool(normalize_waveform), "model_args": dict(model_args),
                "state_dict": model.state_dict()}, path)


def load_ssl_checkpoint(path: str | os.PathLike, kind: str) -> SSLCheckpoint:
    """Load a checkpoint written by :func:`save_ssl_checkpoint`.

    Args:
        path (str or PathLike): the file.
        kind (str): the kind the caller expects (``wav2vec2`` or ``hubert``).

    Raises:
        ValueError: a missing or unreadable file, another format or kind, or weights that
            do not fit the model arguments; the message names the file.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{kind} front end: checkpoint file {path} does not exist "
                         "(write one with python -m asr.bin.save_ssl_checkpoint)")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001  (pickle and zip errors come in many types)
        raise ValueError(f"{path}: cannot read the checkpoint: {e}") from None
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        raise ValueError(f"{path}: not an {FORMAT} file (a bare state dict? convert it with "
                         "python -m asr.bin.save_ssl_checkpoint --bundle NAME --state-dict FILE)")
    if ckpt.get("version") != VERSION:
        raise ValueError(f"{path}: format version {ckpt.get('version')}, this code reads {VERSION}")
    if ckpt["kind"] != kind:
        raise ValueError(f"{path}: holds a {ckpt['kind']} model, the config asks for {kind}")
    model = _build(ckpt["model_args"], str(path))
    try:
        model.load_state_dict(ckpt["state_dict"])
    except RuntimeError as e:
        raise ValueError(f"{path}: the weights do not fit its model_args: {e}") from None
    return SSLCheckpoint(model.eval(), int(ckpt["sample_rate"]), bool(ckpt["normalize_waveform"]))


def convert_bundle(name: str, path: str | os.PathLike, state_dict_file: str | os.PathLike | None = None) -> None:
    """Write a checkpoint for a torchaudio pipeline bundle (e.g. ``WAV2VEC2_BASE``, ``HUBERT_BASE``).

    Args:
        name (str): the bundle's name in :mod:`torchaudio.pipelines`.
        path (str or PathLike): output file.
        state_dict_file (str, PathLike or None): a ``torch.save``'d
            ``bundle.get_model().state_dict()``; ``None`` takes the weights from
            ``bundle.get_model()``, which reads torchaudio's download cache (and downloads
            when the weights are not there and the network is reachable). (Default: ``None``)

    Raises:
        ValueError: an unknown or unsupported bundle (e.g. WavLM), or weights that do not fit.
    """
    bundle = getattr(torchaudio.pipelines, name, None)
    # torchaudio exposes a bundle's architecture only through these private fields.
    if getattr(bundle, "_model_type", None) != "Wav2Vec2" or not hasattr(bundle, "_params"):
        raise ValueError(f"{name!r} is not a wav2vec 2.0 / HuBERT bundle of torchaudio.pipelines")
    if state_dict_file is None:
        model = bundle.get_model()
        state = getattr(model, "model", model).state_dict()  # the waveform-normalizing wrapper holds .model
    else:
        state = torch.load(state_dict_file, map_location="cpu", weights_only=True)
        if all(k.startswith("model.") for k in state):  # saved from the normalizing wrapper
            state = {k[len("model."):]: v for k, v in state.items()}
    kind = "hubert" if name.startswith("HUBERT") else "wav2vec2"
    save_ssl_checkpoint(path, kind, bundle._params, state, bundle.sample_rate, bundle._normalize_waveform)
