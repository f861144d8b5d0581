"""Noisy copies of data dirs, to measure how a model holds up in noise (or to train on).

Each utterance gets noise at a signal-to-noise ratio measured on the waveform (speech power
over noise power across the whole utterance, as MUSAN-style augmentation does). The noise
is synthetic colored noise (:func:`colored_noise`: ``white``, ``pink``, ``brown``) or
recordings from a ``wav.scp`` (e.g. MUSAN noise, or another corpus's speech summed into
babble), each read from a random offset and repeated to cover the utterance. The noisy
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
from asr.utils.fileio import read_table

__all__ = ["COLORS", "colored_noise", "add_noise", "add_noise_data_dir"]

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


def add_noise_data_dir(src: str | os.PathLike, dest: str | os.PathLike, snr_db: float, noise: str = "white",
                       noise_scp: str | os.PathLike | None = None, num_mix: int = 1, seed: int = 0,
                       sample_rate: int = 8000, id_prefix: str = "") -> int:
    """Write ``dest``: the utterances of ``src`` with noise added, ids and speakers kept
    (or prefixed).

    Args:
        src, dest: data dirs (``dest`` gets ``wav.scp``, ``utt2spk``, ``spk2utt``, ``text``
            and ``wav/<utt>.wav``).
        snr_db (float): signal-to-noise ratio in dB.
        noise (str): a color of :data:`COLORS`, or ``scp`` for the recordings of ``noise_scp``.
        noise_scp (path or None): ``wav.scp`` of the noise recordings (``noise='scp'``).
        num_mix (int): recordings summed into each utterance's noise (3 or more makes babble
            of speech recordings). (Default: ``1``)
        seed (int): with the utterance id, seeds every draw. (Default: ``0``)
        sample_rate (int): rate of the written audio (the source is resampled to it). (Default: ``8000``)
        id_prefix (str): put before every utterance and speaker id (e.g. ``noise1-``), so that
            the copy can be combined with its source; the audio does not depend on it. (Default: ``""``)

    Returns:
        int: the number of utterances.

    Raises:
        ValueError: bad arguments, unreadable audio (named), or ``dest`` is ``src``.
    """
    if noise not in COLORS and noise != "scp":
        raise ValueError(f"noise must be one of {', '.join(COLORS)} or scp, got {noise!r}")
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
        rng = np.random.default_rng([seed, zlib.crc32(utt.encode("utf-8"))])
        if noise in COLORS:
            sound = colored_noise(len(speech), COLORS[noise], rng)
        else:
            sound = np.zeros(len(speech))
            for index in rng.choice(len(recordings), num_mix, replace=False):
                rec = recordings[index]
                rec = np.resize(np.roll(rec, -int(rng.integers(len(rec)))), len(speech))
                sound += rec / max(float(np.sqrt(np.mean(rec ** 2))), 1e-12)
        path = (wav_dir / f"{id_prefix}{utt}.wav").resolve()
        tmp = path.with_name(f".{path.name}.tmp")
        soundfile.write(tmp, add_noise(speech, sound, snr_db), sample_rate, subtype="PCM_16", format="WAV")
        os.replace(tmp, path)
        wav_scp[id_prefix + utt] = str(path)
    utt2spk = {id_prefix + u: id_prefix + s for u, s in data.utt2spk.items()}
    text = None if data.text is None else {id_prefix + u: t for u, t in data.text.items()}
    write_data_dir(dest, wav_scp, utt2spk, text)
    check_written(dest, {"wav.scp": wav_scp, **({"text": text} if text is not None else {})})
    logger.info("wrote %d utterances with %s noise at %g dB to %s", len(wav_scp), noise, snr_db, dest)
    return len(wav_scp)
