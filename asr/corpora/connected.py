"""Connected-word sets: one speaker's recordings concatenated with short pauses.

Built from a prepared data dir of isolated words (FSDD's digits), deterministically: a
seeded generator shuffles each speaker's utterances, cuts them into groups of 2-7, and
draws the pause lengths and the pause noise. Every source utterance is used exactly once,
so a connected set drawn from ``test`` holds only test recordings.

Pauses (before, between and after the words) are filled with very low-level white noise
(standard deviation 3 of 32768, about -80 dBFS) rather than digital zeros: exact zeros
give ``log(0)`` energies and a trivial word-boundary cue that no real recording has.
"""

from __future__ import annotations

import argparse
import logging
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Sequence

import numpy as np
import soundfile

from asr.data.audio import AudioReader
from asr.data.datadir import load_data_dir, write_data_dir
from asr.utils.fileio import atomic_write, write_table

__all__ = ["ConnectedConfig", "build_connected"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConnectedConfig:
    """How connected utterances are drawn (each field's ``help`` says what it means)."""

    min_words: int = field(default=2, metadata={"help": "fewest source utterances per utterance"})
    max_words: int = field(default=7, metadata={"help": "most source utterances per utterance "
                                                         "(at least 2 * min_words - 1)"})
    min_pause: float = field(default=0.05, metadata={"help": "shortest pause, seconds"})
    max_pause: float = field(default=0.3, metadata={"help": "longest pause, seconds"})
    noise_std: float = field(default=3.0, metadata={"help": "pause noise standard deviation, "
                                                            "in 16-bit steps (0: digital silence)"})
    sample_rate: int = field(default=8000, metadata={"help": "rate of the output, Hz (sources "
                                                             "at other rates are resampled)"})

    def __post_init__(self) -> None:
        if not (2 <= self.min_words and self.max_words >= 2 * self.min_words - 1):
            # the bound on max_words makes every count >= min_words splittable
            raise ValueError(f"need 2 <= min_words and max_words >= 2 * min_words - 1, "
                             f"got {self.min_words}, {self.max_words}")
        if not 0 <= self.min_pause <= self.max_pause:
            raise ValueError(f"need 0 <= min_pause <= max_pause, got {self.min_pause}, {self.max_pause}")
        if self.noise_std < 0 or self.sample_rate <= 0:
            raise ValueError(f"noise_std must be >= 0 and sample_rate > 0, "
                             f"got {self.noise_std}, {self.sample_rate}")

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """Add ``--cd-<field>`` options (e.g. ``--cd-max-pause``) with this class's defaults."""
        group = parser.add_argument_group("connected-digit sets")
        for f in fields(cls):
            group.add_argument(f"--cd-{f.name.replace('_', '-')}", type=type(f.default), default=f.default,
                               dest=f"cd_{f.name}", help=f.metadata["help"])

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> "ConnectedConfig":
        """The config the ``--cd-*`` options of :meth:`add_arguments` describe."""
        return cls(**{f.name: getattr(args, f"cd_{f.name}") for f in fields(cls)})


def _group_sizes(n: int, rng: np.random.Generator, lo: int, hi: int) -> list[int]:
    """Sizes in ``[lo, hi]`` summing to ``n``: random draws, the last ones adjusted so that
    no remainder smaller than ``lo`` is left."""
    if n < lo:
        raise ValueError(f"cannot cut {n} utterance(s) into groups of at least {lo}")
    sizes = []
    while n > 0:
        size = min(int(rng.integers(lo, hi + 1)), n)
        if 0 < n - size < lo:  # the rest would be too small: take it too, or leave more
            size = n if n <= hi else n - lo
        sizes.append(size)
        n -= size
    return sizes


def _to_int16(audio: np.ndarray) -> np.ndarray:
    return np.clip(np.round(audio * 32768.0), -32768, 32767).astype(np.int16)


def build_connected(src_dir: str | os.PathLike, out_dir: str | os.PathLike,
                    seed: int | Sequence[int], config: ConnectedConfig = ConnectedConfig(),
                    set_name: str = "") -> None:
    """Write a connected-word data dir built from the utterances of ``src_dir``.

    Output utterance ``<speaker>_cd_<set_name>_<nnnn>`` (``<speaker>_cd_<nnnn>`` without a
    set name) is the concatenation of a group of one
    speaker's source utterances, with a pause before, between and after them; its text is
    the sources' texts in order. Besides ``wav.scp``, ``text``, ``utt2spk``, ``spk2utt``
    the folder gets ``wav/<utt>.wav`` (16-bit PCM) and ``utt2sources`` (``<utt> <source
    utt>...``, the provenance of each utterance).

    The speaker id is ``<speaker>_cd``: these recordings hold pauses, so their per-speaker
    CMVN statistics differ from the isolated recordings' (by up to 2.4 log-mel units
    measured on FSDD). Separate ids keep the statistics matched to each condition when a
    connected set is combined with an isolated one for training.

    Args:
        src_dir (str or PathLike): data dir with ``wav.scp``, ``utt2spk`` and ``text``.
        out_dir (str or PathLike): the data dir to write (its ``wav/`` folder is created).
        seed (int or sequence of int): seed of ``numpy.random.default_rng``.
        config (ConnectedConfig): group sizes, pauses, noise and rate.
        set_name (str): part of every utterance id, so that the connected sets built from
            a corpus's train, dev and test sets can be combined. (Default: ``""``)

    Raises:
        ValueError: ``src_dir`` has no ``text``, or a speaker has fewer than
            ``config.min_words`` utterances.
        asr.data.audio.AudioError: a source cannot be read (utterance named).
    """
    src = load_data_dir(src_dir)
    if src.text is None:
        raise ValueError(f"{src_dir}: data dir has no text")
    no_text = sorted(u for u in src.utt2spk if not src.text.get(u))
    if no_text:
        raise ValueError(f"{src_dir}/text: no transcript for utterance {no_text[0]}")
    out_dir = Path(out_dir).resolve()
    wav_dir = out_dir / "wav"
    reader = AudioReader(src, sample_rate=config.sample_rate)
    rng = np.random.default_rng(seed)
    lo_pause = int(round(config.min_pause * config.sample_rate))
    hi_pause = int(round(config.max_pause * config.sample_rate))
    wav_scp, utt2spk, text, utt2sources = {}, {}, {}, {}
    for spk, utts in src.spk2utt.items():
        order = [utts[i] for i in rng.permutation(len(utts))]
        try:
            sizes = _group_sizes(len(order), rng, config.min_words, config.max_words)
        except ValueError as e:
            raise ValueError(f"{src_dir}: speaker {spk}: {e}") from None
        start = 0
        for k, size in enumerate(sizes):
            group = order[start:start + size]
            start += size
            pauses = rng.integers(lo_pause, hi_pause + 1, size=size + 1)
            noise = rng.normal(0.0, config.noise_std, size=int(pauses.sum()))
            noise = np.clip(np.round(noise), -32768, 32767).astype(np.int16)
            ends = np.cumsum(pauses)
            pieces = [noise[:ends[0]]]
            for i, utt in enumerate(group):
                pieces += [_to_int16(reader.read(utt)), noise[ends[i]:ends[i + 1]]]
            utt_id = f"{spk}_cd_{set_name}_{k:04d}" if set_name else f"{spk}_cd_{k:04d}"
            wav = wav_dir / f"{utt_id}.wav"
            with atomic_write(wav, "wb") as f:
                soundfile.write(f, np.concatenate(pieces), config.sample_rate, subtype="PCM_16", format="WAV")
            wav_scp[utt_id] = str(wav)
            utt2spk[utt_id] = f"{spk}_cd"
            text[utt_id] = " ".join(src.text[u] for u in group)
            utt2sources[utt_id] = " ".join(group)
    reader.log_summary()
    write_data_dir(out_dir, wav_scp=wav_scp, utt2spk=utt2spk, text=text)
    write_table(out_dir / "utt2sources", utt2sources)
    logger.info("%s: %d connected utterances from %d sources in %s", out_dir, len(wav_scp),
                len(src.utt2spk), src_dir)
