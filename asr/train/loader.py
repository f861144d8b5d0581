"""Batches from a Kaldi data dir (``feats.scp`` + ``text``, or ``wav.scp`` + ``text`` for a
model with a waveform front end), bucketed by frames (or samples).

Utterances whose label sequence cannot fit the model's output frames (fewer frames after
subsampling than :func:`asr.nnet.ctc.ctc_required_frames`), or longer than a maximum,
are filtered out and counted in the log. The batch order is a pure function of
``(seed, epoch)``, so an interrupted epoch can be resumed at any batch index.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

import kaldiio
import numpy as np
import torch

from asr.data.audio import AudioReader
from asr.data.datadir import load_data_dir
from asr.features.cmvn import apply_cmvn
from asr.nnet.ctc import ctc_required_frames
from asr.units import Units
from asr.utils.fileio import read_table

__all__ = ["Example", "Batch", "load_examples", "make_batches", "FeatureStore", "WaveformStore", "collate"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Example:
    """One utterance: id, feature rxfilename (empty for audio), frame (or sample) count, unit ids."""

    utt: str
    feats: str
    num_frames: int
    tokens: tuple[int, ...]


@dataclass
class Batch:
    """A padded batch.

    Attributes:
        utts (list[str]): utterance ids.
        feats (Tensor): ``(B, T, D)`` float32 features (``(B, N)`` waveforms), zero past the lengths.
        feat_lengths (Tensor): ``(B,)`` int64.
        targets (Tensor): ``(B, U)`` int64 unit ids, ``-1`` past the lengths.
        target_lengths (Tensor): ``(B,)`` int64.
    """

    utts: list[str]
    feats: torch.Tensor
    feat_lengths: torch.Tensor
    targets: torch.Tensor
    target_lengths: torch.Tensor


def load_examples(
    data_dir: str | os.PathLike,
    units: Units,
    output_lengths: Callable[[torch.Tensor], torch.Tensor],
    max_frames: int | None = None,
    waveforms: WaveformStore | None = None,
) -> tuple[list[Example], dict[str, int]]:
    """Read a data dir and keep the utterances a CTC model can be trained on.

    Args:
        data_dir (str or PathLike): needs ``feats.scp`` and ``text``; ``utt2num_frames`` is
            used when present (otherwise each matrix is read once for its length).
        units (Units): turns transcripts into unit ids.
        output_lengths (callable): ``(N,)`` feature frames -> ``(N,)`` model output frames
            (``ASRModel.output_lengths``).
        max_frames (int or None): drop utterances with more feature frames. (Default: ``None``)
        waveforms (WaveformStore or None): read the audio of ``wav.scp`` through this
            store instead of ``feats.scp``; lengths (and ``max_frames``) are then in samples.
            (Default: ``None``)

    Returns:
        (list[Example], dict[str, int]): kept examples in ``feats.scp`` order, and counts
        ``kept``, ``too_short`` and ``too_long`` (also logged).

    Raises:
        ValueError: a missing file, an utterance with features but no transcript, or an
            empty transcript (named).
    """
    data_dir = Path(data_dir)
    source = "feats.scp" if waveforms is None else "wav.scp"
    for name in (source, "text"):
        if not (data_dir / name).is_file():
            raise ValueError(f"{data_dir}: no {name}")
    text = read_table(data_dir / "text", min_fields=1)
    if waveforms is None:
        feats = read_table(data_dir / "feats.scp")
        n2f = data_dir / "utt2num_frames"
        frames = {u: int(n) for u, n in read_table(n2f).items()} if n2f.is_file() else {}
        utts = list(feats)
    else:
        feats = {}
        utts = waveforms.data.utt_ids
    tokens, lengths = [], []
    for utt in utts:
        if utt not in text:
            raise ValueError(f"{data_dir / 'text'}: no transcript for utterance {utt} (it is in {source})")
        ids = units.encode(text[utt])
        if not ids:
            raise ValueError(f"{data_dir / 'text'}: empty transcript for utterance {utt}")
        tokens.append(tuple(ids))
        if waveforms is not None:
            lengths.append(len(waveforms.read(utt)))
        else:
            lengths.append(frames[utt] if utt in frames else kaldiio.load_mat(feats[utt]).shape[0])
    out_frames = output_lengths(torch.tensor(lengths, dtype=torch.long)).tolist() if utts else []
    kept: list[Example] = []
    counts = {"kept": 0, "too_short": 0, "too_long": 0}
    for utt, n, n_out, ids in zip(utts, lengths, out_frames, tokens):
        if max_frames is not None and n > max_frames:
            counts["too_long"] += 1
        elif n_out < ctc_required_frames(ids):
            counts["too_short"] += 1
        else:
            kept.append(Example(utt, feats.get(utt, ""), n, ids))
    counts["kept"] = len(kept)
    log.info(
        "%s: %d utterances kept, %d too short for their labels after subsampling, %d longer than %s %s",
        data_dir, counts["kept"], counts["too_short"], counts["too_long"], max_frames,
        "frames" if waveforms is None else "samples",
    )
    return kept, counts


def make_batches(
    examples: Sequence[Example],
    max_frames_per_batch: int,
    seed: int = 0,
    epoch: int = 0,
    shuffle: bool = True,
) -> list[list[int]]:
    """Group examples of similar length into batches of at most ``max_frames_per_batch``
    padded frames (batch size times its longest utterance).

    With ``shuffle``, lengths get a +-10% random jitter before sorting (so batches differ
    between epochs) and the batch order is shuffled, both from ``(seed, epoch)`` only.
    Without it, batches follow increasing length (for evaluation).

    Returns:
        list[list[int]]: indices into ``examples``, one list per batch.
    """
    if max_frames_per_batch < 1:
        raise ValueError(f"max_frames_per_batch must be positive, got {max_frames_per_batch}")
    lengths = np.array([e.num_frames for e in examples], dtype=np.float64)
    rng = np.random.default_rng([seed, epoch])
    keys = lengths * rng.uniform(0.9, 1.1, size=len(lengths)) if shuffle else lengths
    order = np.argsort(keys, kind="stable")
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in order.tolist():
        n = examples[i].num_frames
        if current and max(longest, n) * (len(current) + 1) > max_frames_per_batch:
            batches.append(current)
            current, longest = [], 0
        current.append(i)
        longest = max(longest, n)
    if current:
        batches.append(current)
    if shuffle:
        batches = [batches[i] for i in rng.permutation(len(batches)).tolist()]
    return batches


class FeatureStore:
    """Reads feature matrices, normalized with CMVN stats, caching them in memory.

    Args:
        cmvn_stats (np.ndarray or None): ``(2, D + 1)`` Kaldi stats of every utterance;
            mean and variance are normalized. ``None`` for no normalization (or ``utt_stats``).
        cache (bool): keep matrices after the first read. (Default: ``True``)
        utt_stats (mapping or None): each utterance's own stats instead (e.g. its
            speaker's, :func:`asr.features.cmvn.utterance_speaker_stats`). (Default: ``None``)
    """

    def __init__(self, cmvn_stats: np.ndarray | None = None, cache: bool = True,
                 utt_stats: Mapping[str, np.ndarray] | None = None) -> None:
        if cmvn_stats is not None and utt_stats is not None:
            raise ValueError("give global CMVN stats or per-utterance stats, not both")
        self.cmvn_stats, self.utt_stats = cmvn_stats, utt_stats
        self.cache = cache
        self._store: dict[str, np.ndarray] = {}

    def get(self, example: Example) -> np.ndarray:
        """``(T, D)`` float32 features of ``example``."""
        mat = self._store.get(example.utt)
        if mat is None:
            try:
                mat = np.asarray(kaldiio.load_mat(example.feats), dtype=np.float32)
            except Exception as e:  # noqa: BLE001  (kaldiio raises many types)
                raise ValueError(f"utterance {example.utt}: cannot read features {example.feats}: {e}") from None
            stats = self.cmvn_stats
            if self.utt_stats is not None:
                if example.utt not in self.utt_stats:
                    raise ValueError(f"utterance {example.utt}: no CMVN stats for its speaker")
                stats = self.utt_stats[example.utt]
            if stats is not None:
                mat = apply_cmvn(mat, stats, norm_vars=True)
            if self.cache:
                self._store[example.utt] = mat
        return mat


class WaveformStore:
    """Reads the utterances' audio of a data dir as mono float32 at ``sample_rate``
    (resampled when needed), caching it in memory.

    Args:
        data_dir (str or PathLike): data dir with ``wav.scp`` and ``utt2spk`` (and ``segments``).
        sample_rate (int): the front end's rate.
        cache (bool): keep waveforms after the first read. (Default: ``True``)
    """

    def __init__(self, data_dir: str | os.PathLike, sample_rate: int, cache: bool = True) -> None:
        try:
            self.data = load_data_dir(data_dir)
        except FileNotFoundError as e:
            raise ValueError(str(e)) from None
        self.reader = AudioReader(self.data, sample_rate)
        self.cache = cache
        self._store: dict[str, np.ndarray] = {}

    def read(self, utt: str) -> np.ndarray:
        """``(N,)`` samples of utterance ``utt``."""
        wav = self._store.get(utt)
        if wav is None:
            wav = self.reader.read(utt)
            if self.cache:
                self._store[utt] = wav
        return wav

    def get(self, example: Example) -> np.ndarray:
        """``(N,)`` samples of ``example``."""
        return self.read(example.utt)


def collate(examples: Sequence[Example], store: FeatureStore | WaveformStore) -> Batch:
    """Pad the examples' features (or waveforms) and unit ids into a :class:`Batch`."""
    mats = [store.get(e) for e in examples]
    feats = torch.zeros(len(mats), max(m.shape[0] for m in mats), *mats[0].shape[1:])
    u = max(len(e.tokens) for e in examples)
    targets = torch.full((len(mats), u), -1, dtype=torch.long)
    for i, (m, e) in enumerate(zip(mats, examples)):
        feats[i, : m.shape[0]] = torch.from_numpy(m)
        targets[i, : len(e.tokens)] = torch.tensor(e.tokens)
    return Batch(
        utts=[e.utt for e in examples],
        feats=feats,
        feat_lengths=torch.tensor([m.shape[0] for m in mats]),
        targets=targets,
        target_lengths=torch.tensor([len(e.tokens) for e in examples]),
    )
