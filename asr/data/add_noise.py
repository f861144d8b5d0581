"""Noisy copies of data dirs, to measure how a model holds up in noise or in a reverberant
room (or to train on).

Each utterance gets noise at a signal-to-noise ratio measured on the waveform (speech power
over noise power across the whole utterance, as MUSAN-style augmentation does). The noise
is synthetic colored noise (:func:`colored_noise`: ``white``, ``pink``, ``brown``) or
recordings from a ``wav.scp`` (e.g. MUSAN noise, or another corpus's speech summed into
babble), each read from a random offset and repeated to cover the utterance. Before
the noise, the speech can be reverberated with a synthetic room impulse response
(:mod:`asr.data.reverb`), as in a room where the noise is recorded too. The noisy
audio is written as 16-bit WAV files in ``<dest>/wav/``; every draw comes from the seed
and the utterance id, so a rerun writes the same files.
"""

from __future__ import annotations

import logging
import os
import sys
import zlib
from pathlib import Path

import numpy as np
import soundfile
from tqdm import tqdm

from asr.data.audio import AudioReader, read_audio_entry
from asr.data.copy_dir import check_written
from asr.data.datadir import load_data_dir, write_data_dir
from asr.data.reverb import reverberate, synthetic_rir
from asr.utils.fileio import read_table

__all__ = ["COLORS", "colored_noise", "add_noise", "add_noise_data_dir", "describe_condition"]

logger = logging.getLogger(__name__)

#: spectral exponent of each noise color: power falls as 1 / f ** exponent
COLORS = {"white": 0.0, "pink": 1.0, "brown": 2.0}


def colored_noise(num_samples: int, exponent: float, rng: np.random.Generator) -> np.ndarray:
    """Gaussian noise whose power spectrum falls as ``1 / f ** exponent`` (0 white, 1 pink,
    2 brown), scaled to an RMS of 0.1.

    Returns:
        np.ndarray: ``(num_samples,)`` float32.
    """
    if num_samples < 1:
        raise ValueError(f"num_samples must be positive, got {num_samples}")
    spectrum = np.fft.rfft(rng.standard_normal(num_samples))
    spectrum /= np.arange(1, len(spectrum) + 1) ** (exponent / 2.0)
    noise = np.fft.irfft(spectrum, num_samples)
    return (0.1 * noise / max(np.sqrt(np.mean(noise ** 2)), 1e-12)).astype(np.float32)


def add_noise(speech: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """``speech`` plus ``noise`` (as long) scaled to ``snr_db`` below it; scaled down as a
    whole if it would clip. Digital silence gets no noise (there is no level to refer to).

    Returns:
        np.ndarray: float32, the shape of ``speech``.
    """
    if speech.shape != noise.shape:
        raise ValueError(f"speech {speech.shape} and noise {noise.shape} differ in shape")
    speech_power = float(np.mean(np.square(speech, dtype=np.float64)))
    noise_power = float(np.mean(np.square(noise, dtype=np.float64)))
    if speech_power == 0.0 or noise_power == 0.0:
        return speech.astype(np.float32)
    mixed = speech + noise * np.sqrt(speech_power / noise_power / 10.0 ** (snr_db / 10.0))
    peak = float(np.max(np.abs(mixed)))
    return (mixed / max(1.0, peak / 0.99)).astype(np.float32)


def _noise_recordings(noise_scp: str | os.PathLike, rate: int) -> list[np.ndarray]:
    """The mono samples of every recording of ``noise_scp`` (named when not at ``rate`` or silent)."""
    recordings = []
    for key, entry in read_table(noise_scp).items():
        samples, sr = read_audio_entry(entry)
        mono = samples.mean(axis=1)
        if sr != rate:
            raise ValueError(f"{noise_scp}: recording {key} is {sr} Hz, the data is {rate} Hz")
        if not np.any(mono):
            raise ValueError(f"{noise_scp}: recording {key} is silent")
        recordings.append(mono)
    if not recordings:
        raise ValueError(f"{noise_scp}: no recordings")
    return recordings


def describe_condition(noise: str, snr_db: float, rt60: float, drr_db: float) -> str:
    """e.g. ``pink noise at 5 dB SNR in a room of RT60 0.6 s, DRR 0 dB``."""
    parts = [] if noise == "none" else [f"{noise} noise at {snr_db:g} dB SNR"]
    if rt60 > 0.0:
        parts.append(f"in a room of RT60 {rt60:g} s, DRR {drr_db:g} dB")
    return " ".join(parts)


def _draw_noise(noise: str, recordings: list[np.ndarray], num_mix: int, num_samples: int,
                rng: np.random.Generator) -> np.ndarray:
    """``(num_samples,)`` noise of a color, or ``num_mix`` of ``recordings`` from random offsets summed."""
    if noise in COLORS:
        return colored_noise(num_samples, COLORS[noise], rng)
    sound = np.zeros(num_samples)
    for index in rng.choice(len(recordings), num_mix, replace=False):
        rec = recordings[index]
        rec = np.resize(np.roll(rec, -int(rng.integers(len(rec)))), num_samples)
        sound += rec / max(float(np.sqrt(np.mean(rec ** 2))), 1e-12)
    return sound


def add_noise_data_dir(src: str | os.PathLike, dest: str | os.PathLike, snr_db: float, noise: str = "white",
                       noise_scp: str | os.PathLike | None = None, num_mix: int = 1, seed: int = 0,
                       sample_rate: int = 8000, id_prefix: str = "", rt60: float = 0.0,
                       drr_db: float = 0.0) -> int:
    """Write ``dest``: the utterances of ``src`` with noise added (and reverberated first
    when ``rt60`` is set), ids and speakers kept (or prefixed).

    Args:
        src, dest: data dirs (``dest`` gets ``wav.scp``, ``utt2spk``, ``spk2utt``, ``text``
            and ``wav/<utt>.wav``).
        snr_db (float): signal-to-noise ratio in dB.
        noise (str): a color of :data:`COLORS`, ``scp`` for the recordings of ``noise_scp``,
            or ``none`` (reverberation only).
        noise_scp (path or None): ``wav.scp`` of the noise recordings (``noise='scp'``).
        num_mix (int): recordings summed into each utterance's noise (3 or more makes babble
            of speech recordings). (Default: ``1``)
        seed (int): with the utterance id, seeds every draw. (Default: ``0``)
        sample_rate (int): rate of the written audio (the source is resampled to it). (Default: ``8000``)
        id_prefix (str): put before every utterance and speaker id (e.g. ``noise1-``), so that
            the copy can be combined with its source; the audio does not depend on it. (Default: ``""``)
        rt60 (float): reverberation time of the room, seconds; 0: no reverberation. (Default: ``0.0``)
        drr_db (float): direct-to-reverberant energy ratio, dB. (Default: ``0.0``)

    Returns:
        int: the number of utterances.

    Raises:
        ValueError: bad arguments, unreadable audio (named), or ``dest`` is ``src``.
    """
    if noise not in COLORS and noise not in ("scp", "none"):
        raise ValueError(f"noise must be one of {', '.join(COLORS)}, scp or none, got {noise!r}")
    if noise == "none" and rt60 == 0.0:
        raise ValueError("noise 'none' without rt60 would copy the audio unchanged")
    if rt60 < 0.0:
        raise ValueError(f"rt60 must be non-negative, got {rt60}")
    if (noise == "scp") != (noise_scp is not None):
        raise ValueError("noise 'scp' goes with a noise_scp, and only it")
    if num_mix < 1:
        raise ValueError(f"num_mix must be positive, got {num_mix}")
    if Path(src).resolve() == Path(dest).resolve():
        raise ValueError(f"source and destination are the same dir: {src}")
    data = load_data_dir(src)
    recordings = _noise_recordings(noise_scp, sample_rate) if noise_scp is not None else []
    if recordings and num_mix > len(recordings):
        raise ValueError(f"num_mix {num_mix} is more than the {len(recordings)} recordings of {noise_scp}")
    reader = AudioReader(data, sample_rate)
    wav_dir = Path(dest) / "wav"
    wav_dir.mkdir(parents=True, exist_ok=True)
    wav_scp = {}
    for utt in tqdm(data.utt_ids, desc=f"noisy copy of {src}", file=sys.stderr, ascii=True, mininterval=5.0):
        speech = reader.read(utt)
        key = zlib.crc32(utt.encode("utf-8"))
        rng = np.random.default_rng([seed, key])
        if rt60 > 0.0:  # its own stream: the noise of a copy without reverberation is the same
            speech = reverberate(speech, synthetic_rir(rt60, drr_db, sample_rate, np.random.default_rng([seed, key, 1])))
        if noise == "none":
            mixed = speech
        else:
            mixed = add_noise(speech, _draw_noise(noise, recordings, num_mix, len(speech), rng), snr_db)
        path = (wav_dir / f"{id_prefix}{utt}.wav").resolve()
        tmp = path.with_name(f".{path.name}.tmp")
        soundfile.write(tmp, mixed, sample_rate, subtype="PCM_16", format="WAV")
        os.replace(tmp, path)
        wav_scp[id_prefix + utt] = str(path)
    utt2spk = {id_prefix + u: id_prefix + s for u, s in data.utt2spk.items()}
    text = None if data.text is None else {id_prefix + u: t for u, t in data.text.items()}
    write_data_dir(dest, wav_scp, utt2spk, text)
    check_written(dest, {"wav.scp": wav_scp, **({"text": text} if text is not None else {})})
    logger.info("wrote %d utterances (%s) to %s", len(wav_scp), describe_condition(noise, snr_db, rt60, drr_db), dest)
    return len(wav_scp)
