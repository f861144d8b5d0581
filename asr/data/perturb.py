"""Speed perturbation (Kaldi's ``utils/data/perturb_data_dir_speed.sh``, sox's ``speed``).

The audio is resampled so that it plays ``factor`` times faster at the same sample rate:
duration divided by ``factor``, every frequency multiplied by it. A perturbed data dir's
``wav.scp`` entries are pipes through ``python -m asr.bin.apply_speed``, so nothing but
this package (no sox, no shell) is needed to read them; :func:`asr.data.audio.read_audio_entry`
recognises them (and Kaldi's ``sox ... speed F`` pipes) and resamples in its own process
instead of starting one per utterance.
"""

from __future__ import annotations

import logging
import math
import os
import re
import shlex
import sys
from fractions import Fraction
from typing import Callable

import numpy as np

from asr.data.copy_dir import check_written, map_ids
from asr.data.ops import read_tables, warn_not_carried, write_tables
from asr.data.pipes import parse_pipe

__all__ = ["speed_perturb", "speed_perturb_pcm16", "resample_poly", "speed_pipe", "parse_speed_pipe",
           "perturb_data_dir_speed", "write_perturbed_copy"]

logger = logging.getLogger(__name__)

# durations, features and CMVN of the original audio would be wrong for the perturbed one
_NOT_CARRIED = ("feats.scp", "vad.scp", "cmvn.scp", "utt2num_frames", "utt2dur", "reco2dur",
                "reco2file_and_channel")
_CHUNK = 8192  # resample_poly's outputs per step: bounds the memory of the gathered windows


def resample_poly(x: np.ndarray, up: int, down: int, half_width: int = 10, beta: float = 5.0) -> np.ndarray:
    """Polyphase resampling by ``up / down`` with a Kaiser-windowed sinc low-pass filter
    (the design of ``scipy.signal.resample_poly``, without importing SciPy: it is run once
    per utterance in a pipe, where SciPy's import time would dominate).

    Args:
        x (np.ndarray): ``(num_samples,)`` or ``(num_samples, num_channels)``.
        up, down (int): the rate ratio; positive.
        half_width (int): filter half-length in zero-crossings of the slower rate. (Default: ``10``)
        beta (float): Kaiser window shape. (Default: ``5.0``)

    Returns:
        np.ndarray: ``(ceil(num_samples * up / down), ...)``, float32.
    """
    if up <= 0 or down <= 0:
        raise ValueError(f"up and down must be positive, got {up}, {down}")
    g = math.gcd(up, down)
    up, down = up // g, down // g
    x = np.asarray(x, dtype=np.float64)
    if up == down:
        return x.astype(np.float32)
    half = half_width * max(up, down)
    taps = np.arange(-half, half + 1)
    h = np.sinc(taps / max(up, down)) * np.kaiser(2 * half + 1, beta)
    h *= up / h.sum()
    # y[n] = sum_k h[k] * xup[n*down + half - k], where xup holds x[i] at i*up, zeros elsewhere:
    # with pos = n*down + half, only k = pos % up + j*up count, and they read x[pos // up - j].
    width = -(-h.size // up)
    phases = np.zeros(width * up)
    phases[:h.size] = h
    phases = phases.reshape(width, up).T[:, ::-1]  # phases[p, width-1-j] = h[p + j*up]
    n_out = -(-x.shape[0] * up // down)
    pos = np.arange(n_out, dtype=np.int64) * down + half
    last = pos // up
    pad = (width - 1, max(0, int(last[-1]) + 1 - x.shape[0]))
    x = np.pad(x, (pad,) + ((0, 0),) * (x.ndim - 1))
    windows = np.lib.stride_tricks.sliding_window_view(x, width, axis=0)  # i: unpadded x[i-width+1..i]
    y = np.empty((n_out,) + x.shape[1:])
    for s in range(0, n_out, _CHUNK):
        part = slice(s, s + _CHUNK)
        y[part] = np.einsum("n...w,nw->n...", windows[last[part]], phases[pos[part] % up])
    return y.astype(np.float32)


def speed_perturb(samples: np.ndarray, factor: float) -> np.ndarray:
    """Play ``samples`` ``factor`` times faster at the same rate (pitch scales by ``factor``).

    Args:
        samples (np.ndarray): ``(num_samples,)`` or ``(num_samples, num_channels)``.
        factor (float): e.g. ``0.9`` (slower, longer, lower) or ``1.1``; used as a fraction
            with denominator at most 1000.

    Returns:
        np.ndarray: about ``num_samples / factor`` samples, float32.
    """
    if not (math.isfinite(factor) and factor > 0):
        raise ValueError(f"speed factor must be a positive number, got {factor}")
    ratio = Fraction(factor).limit_denominator(1000)
    return resample_poly(samples, up=ratio.denominator, down=ratio.numerator)


def speed_perturb_pcm16(samples: np.ndarray, factor: float) -> np.ndarray:
    """:func:`speed_perturb`, clipped and rounded to 16-bit PCM, as a speed pipe writes it.

    Returns:
        np.ndarray: int16, about ``num_samples / factor`` samples; ``out / 32768`` is what
        reading the pipe's WAV output gives.
    """
    out = np.rint(speed_perturb(samples, factor).astype(np.float64) * 32768)
    return np.clip(out, -32768, 32767).astype(np.int16)


def speed_pipe(entry: str, factor: str) -> str:
    """The ``wav.scp`` pipe entry that reads ``entry`` (a path or a pipe) at ``factor``."""
    return shlex.join([sys.executable, "-m", "asr.bin.apply_speed", "--factor", factor, entry]) + " |"


def parse_speed_pipe(entry: str) -> tuple[str, float] | None:
    """The inner entry and factor of a speed-perturbing ``wav.scp`` pipe.

    Recognised: what :func:`speed_pipe` writes (any ``python*`` program), and Kaldi's
    ``sox [-t wav] <path> -t wav - speed F |`` and ``<pipe> | sox -t wav - -t wav - speed F |``
    (read with :func:`speed_perturb`, which is close to sox's resampler but not identical).

    Returns:
        (str, float) | None: e.g. ``("a.wav", 0.9)``; None for any other entry.
    """
    try:
        *before, argv = parse_pipe(entry)
    except ValueError:
        return None
    program = os.path.basename(argv[0])
    if (re.fullmatch(r"python[0-9.]*", program) and not before and len(argv) == 6
            and argv[1:4] == ["-m", "asr.bin.apply_speed", "--factor"]):
        factor, inner = argv[4], argv[5]
    elif program == "sox" and argv[-5:-1] == ["-t", "wav", "-", "speed"]:
        source, factor = argv[1:-5], argv[-1]
        if before and source == ["-t", "wav", "-"]:
            inner = " | ".join(shlex.join(stage) for stage in before) + " |"
        elif not before and source and source[:-1] in ([], ["-t", "wav"]) and source[-1] != "-":
            inner = source[-1]
        else:
            return None
    else:
        return None
    try:
        return inner, float(factor)
    except ValueError:
        return None


def perturb_data_dir_speed(factor: str, src: str | os.PathLike, dest: str | os.PathLike) -> int:
    """Write ``dest``: ``src`` at speed ``factor``, ids prefixed ``sp<factor>-``.

    Utterance, speaker and (with ``segments``) recording ids get the prefix; segment times
    are divided by the factor. See :func:`write_perturbed_copy` for the rest. Returns the
    number of utterances.

    Args:
        factor (str): as written, e.g. ``"0.9"`` (the prefix uses it verbatim, like Kaldi).

    Raises:
        ValueError: a bad factor, ``dest`` is ``src``, or ``dest`` fails validation.
    """
    try:
        value = float(factor)
    except ValueError:
        raise ValueError(f"speed factor must be a number, got {factor!r}") from None
    if not (math.isfinite(value) and value > 0) or any(c.isspace() for c in factor):
        raise ValueError(f"speed factor must be a positive number, got {factor!r}")
    prefix = f"sp{factor}-"
    return write_perturbed_copy(src, dest, utt_map=lambda u: prefix + u, spk_map=lambda s: prefix + s,
                                reco_map=lambda r: prefix + r, entry_map=lambda _, e: speed_pipe(e, factor),
                                segment_map=lambda line: _scale_segment(line, value))


def write_perturbed_copy(src: str | os.PathLike, dest: str | os.PathLike, utt_map: Callable[[str], str],
                         spk_map: Callable[[str], str], reco_map: Callable[[str], str],
                         entry_map: Callable[[str, str], str],
                         segment_map: Callable[[str], str] | None = None) -> int:
    """Write ``dest``, a copy of ``src`` whose audio is changed by a pipe: ids renamed by
    the maps, each ``wav.scp`` entry replaced by ``entry_map(recording_id, entry)``,
    ``segments`` lines by ``segment_map`` (when given); ``utt2uniq`` maps each new
    utterance to its original; text is copied; features, durations and CMVN are not
    carried (a warning names them). ``dest`` is validated. Returns the number of utterances.

    Raises:
        ValueError: ``dest`` is ``src``, or ``dest`` fails validation.
    """
    if os.path.realpath(src) == os.path.realpath(dest):
        raise ValueError(f"source and destination are the same data dir: {src}")
    tables = read_tables(src)
    warn_not_carried(src, _NOT_CARRIED)
    kept = {name: table for name, table in tables.items() if name not in _NOT_CARRIED}
    out = map_ids(kept, utt_map=utt_map, spk_map=spk_map, reco_map=reco_map)
    reco_of = reco_map if "segments" in tables else utt_map
    if "wav.scp" in tables:
        out["wav.scp"] = {reco_of(r): entry_map(r, entry) for r, entry in tables["wav.scp"].items()}
    if "segments" in out and segment_map is not None:
        out["segments"] = {u: segment_map(line) for u, line in out["segments"].items()}
    if "utt2uniq" not in out:
        out["utt2uniq"] = {utt_map(u): u for u in tables["utt2spk"]}
    write_tables(dest, out)
    check_written(dest, out)
    return len(out["utt2spk"])


def _scale_segment(line: str, factor: float) -> str:
    reco, start, end = line.split()
    new_end = "-1" if float(end) == -1 else f"{float(end) / factor:.3f}"
    return f"{reco} {float(start) / factor:.3f} {new_end}"
