"""Subsets of a data dir (Kaldi's ``utils/subset_data_dir.sh``): choose utterances, then
copy every table restricted to them, their speakers and their recordings."""

from __future__ import annotations

import os
from pathlib import Path

from asr.data.datadir import sort_key, utt2spk_to_spk2utt
from asr.data.ops import Tables, carry_feature_config, read_tables, restrict, warn_not_carried, write_tables
from asr.utils.fileio import read_lines

__all__ = ["select_utterances", "subset_data_dir", "read_id_list"]

MODES = ("even", "first", "last", "shortest", "per-spk")


def read_id_list(path: str | os.PathLike) -> list[str]:
    """The first field of each non-blank line of a list file (``utt-id ...`` or ``spk-id ...``)."""
    return [line.split()[0] for line in read_lines(path) if line.strip()]


def _lengths(tables: Tables) -> dict[str, float]:
    for name in ("utt2num_frames", "utt2dur"):
        if name in tables:
            try:
                return {u: float(v) for u, v in tables[name].items()}
            except ValueError as e:
                raise ValueError(f"{name}: {e}") from None
    raise ValueError("shortest: the data dir has neither utt2num_frames nor utt2dur")


def select_utterances(tables: Tables, num: int, mode: str = "even") -> set[str]:
    """Choose ``num`` utterances (``num`` per speaker for ``per-spk``).

    Args:
        tables (Tables): the data dir's tables (see :func:`asr.data.ops.read_tables`).
        num (int): how many; more than there are is an error (except per speaker).
        mode (str): ``even`` (evenly spaced through the sorted list, Kaldi's default),
            ``first``, ``last``, ``shortest`` (by ``utt2num_frames`` or ``utt2dur``), or
            ``per-spk`` (the first ``num`` of each speaker). (Default: ``"even"``)
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if num <= 0:
        raise ValueError(f"number of utterances must be positive, got {num}")
    utts = sorted(tables["utt2spk"], key=sort_key)
    if mode == "per-spk":
        return {u for spk_utts in utt2spk_to_spk2utt(tables["utt2spk"]).values() for u in spk_utts[:num]}
    if num > len(utts):
        raise ValueError(f"asked for {num} utterances, the data dir has only {len(utts)}")
    if mode == "first":
        return set(utts[:num])
    if mode == "last":
        return set(utts[len(utts) - num:])
    if mode == "shortest":
        lengths = _lengths(tables)
        return set(sorted(utts, key=lambda u: (lengths[u], sort_key(u)))[:num])
    return {utts[(2 * i + 1) * len(utts) // (2 * num)] for i in range(num)}


def subset_data_dir(src: str | os.PathLike, dest: str | os.PathLike, utts: set[str] | None = None,
                    speakers: set[str] | None = None) -> int:
    """Write the data dir ``dest`` holding the utterances ``utts`` (or all utterances of
    ``speakers``) of ``src``; returns the number of utterances.

    Raises:
        ValueError: ``dest`` is ``src``; neither or both of ``utts`` and ``speakers``; an
            utterance or speaker that ``src`` does not have (the first few are named).
    """
    if Path(src).resolve() == Path(dest).resolve():
        raise ValueError(f"source and destination are the same data dir: {src}")
    if (utts is None) == (speakers is None):
        raise ValueError("give exactly one of utts and speakers")
    tables = read_tables(src)
    utt2spk = tables["utt2spk"]
    if speakers is not None:
        unknown = sorted(speakers - set(utt2spk.values()), key=sort_key)
        what = "speaker"
        utts = {u for u, s in utt2spk.items() if s in speakers}
    else:
        unknown = sorted(utts - utt2spk.keys(), key=sort_key)
        what = "utterance"
    if unknown:
        raise ValueError(f"{src}: {len(unknown)} {what}(s) not in the data dir, e.g. {' '.join(unknown[:5])}")
    if not utts:
        raise ValueError("the subset would be empty")
    warn_not_carried(src)
    write_tables(dest, restrict(tables, utts))
    carry_feature_config(dest, [src], has_feats="feats.scp" in tables)
    return len(utts)
