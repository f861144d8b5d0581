"""Kaldi data directories: ``wav.scp``, ``text``, ``utt2spk``, ``spk2utt``, ``segments``.

Reading is strict about the format of each line (errors name file and line); checks
that span files (sorting, key sets, audio existence) live in :mod:`asr.data.validate`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from asr.utils.fileio import read_table, write_table

__all__ = ["Segment", "DataDir", "load_data_dir", "write_data_dir", "utt2spk_to_spk2utt", "sort_key"]


def sort_key(key: str) -> bytes:
    """Kaldi's sort order: C locale, i.e. the UTF-8 bytes."""
    return key.encode("utf-8")


@dataclass(frozen=True)
class Segment:
    """One line of ``segments``: utterance = ``recording[start:end]`` in seconds (end -1: to the end)."""

    recording: str
    start: float
    end: float


@dataclass
class DataDir:
    """An in-memory Kaldi data dir. ``wav_scp`` is keyed by recording, the rest by utterance."""

    path: Path
    wav_scp: dict[str, str]
    utt2spk: dict[str, str]
    text: dict[str, str] | None = None
    segments: dict[str, Segment] | None = None
    extra: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def utt_ids(self) -> list[str]:
        """Utterance ids in Kaldi order."""
        return sorted(self.utt2spk, key=sort_key)

    @property
    def spk2utt(self) -> dict[str, list[str]]:
        return utt2spk_to_spk2utt(self.utt2spk)


def utt2spk_to_spk2utt(utt2spk: dict[str, str]) -> dict[str, list[str]]:
    """Invert ``utt2spk``; speakers and their utterances in Kaldi order."""
    spk2utt: dict[str, list[str]] = {}
    for utt in sorted(utt2spk, key=sort_key):
        spk2utt.setdefault(utt2spk[utt], []).append(utt)
    return {spk: spk2utt[spk] for spk in sorted(spk2utt, key=sort_key)}


def _read_segments(path: Path) -> dict[str, Segment]:
    segments: dict[str, Segment] = {}
    for lineno, (utt, rest) in enumerate(read_table(path, min_fields=4).items(), 1):
        fields = rest.split()
        if len(fields) != 3:
            raise ValueError(f"{path}: utterance {utt}: expected 'utt recording start end', got {rest!r}")
        try:
            start, end = float(fields[1]), float(fields[2])
        except ValueError:
            raise ValueError(f"{path}: utterance {utt}: start/end are not numbers: {rest!r}") from None
        segments[utt] = Segment(fields[0], start, end)
    return segments


def load_data_dir(path: str | os.PathLike) -> DataDir:
    """Read a data dir. ``wav.scp`` and ``utt2spk`` are required; ``text``, ``segments``
    and any other known table (``feats.scp``, ``utt2num_frames``, ``cmvn.scp``, ...) are read
    when present.

    Raises:
        FileNotFoundError: a required file is missing.
        ValueError: a malformed line (file and line named).
    """
    path = Path(path)
    for required in ("wav.scp", "utt2spk"):
        if not (path / required).is_file():
            raise FileNotFoundError(f"{path}: data dir has no {required}")
    wav_scp = read_table(path / "wav.scp")
    utt2spk = read_table(path / "utt2spk")
    text = read_table(path / "text", min_fields=1) if (path / "text").is_file() else None
    segments = _read_segments(path / "segments") if (path / "segments").is_file() else None
    extra = {
        name: read_table(path / name)
        for name in ("feats.scp", "cmvn.scp", "utt2num_frames", "utt2dur", "reco2dur", "spk2gender")
        if (path / name).is_file()
    }
    return DataDir(path=path, wav_scp=wav_scp, utt2spk=utt2spk, text=text, segments=segments, extra=extra)


def write_data_dir(
    path: str | os.PathLike,
    wav_scp: dict[str, str],
    utt2spk: dict[str, str],
    text: dict[str, str] | None = None,
    segments: dict[str, Segment] | None = None,
) -> None:
    """Write a data dir (sorted, ``spk2utt`` derived), each file atomically."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    write_table(path / "wav.scp", wav_scp)
    write_table(path / "utt2spk", utt2spk)
    write_table(path / "spk2utt", {s: " ".join(u) for s, u in utt2spk_to_spk2utt(utt2spk).items()})
    if text is not None:
        write_table(path / "text", text)
    if segments is not None:
        write_table(
            path / "segments",
            {u: f"{s.recording} {s.start:.3f} {s.end:.3f}" for u, s in segments.items()},
        )
