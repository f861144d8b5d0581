"""The tables of a data dir, grouped by what they are keyed on, for tools that rewrite data
dirs (fix, subset, combine, copy, perturb): read them, restrict them to a set of
utterances, write them back sorted with ``spk2utt`` derived from ``utt2spk``."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from asr.data.datadir import utt2spk_to_spk2utt
from asr.utils.fileio import atomic_write, read_table, write_table

__all__ = [
    "UTT_TABLES", "SPK_TABLES", "RECO_TABLES", "TABLES", "FIELD_COUNTS", "Tables",
    "split_fields", "read_tables", "write_tables", "restrict", "recordings_of", "warn_not_carried",
]

logger = logging.getLogger(__name__)

UTT_TABLES = ("utt2spk", "text", "segments", "feats.scp", "vad.scp", "utt2num_frames", "utt2dur",
              "utt2uniq", "utt2lang")
SPK_TABLES = ("cmvn.scp", "spk2gender")
# keyed by recording; with no segments a recording is an utterance
RECO_TABLES = ("wav.scp", "reco2dur", "reco2file_and_channel")
TABLES = UTT_TABLES + SPK_TABLES + RECO_TABLES
# (min, max or None) fields per line, key included
FIELD_COUNTS: dict[str, tuple[int, int | None]] = {
    "utt2spk": (2, 2), "spk2utt": (2, None), "wav.scp": (2, None), "segments": (4, 4),
    "text": (1, None), "feats.scp": (2, None), "cmvn.scp": (2, None), "vad.scp": (2, None),
    "utt2num_frames": (2, 2), "utt2dur": (2, 2), "utt2uniq": (2, 2), "utt2lang": (2, 2),
    "reco2dur": (2, 2), "reco2file_and_channel": (3, 3), "spk2gender": (2, 2),
}

Tables = dict[str, dict[str, str]]

_SEP = re.compile(r"[ \t]+")


def split_fields(line: str) -> list[str]:
    """Split a table line on blanks and tabs (as ``awk`` does in the C locale)."""
    stripped = line.strip(" \t")
    return _SEP.split(stripped) if stripped else []


def read_tables(data_dir: str | os.PathLike) -> Tables:
    """Read every known table present in ``data_dir`` (``spk2utt`` is derived, not read).

    Returns:
        Tables: file name (e.g. ``"text"``) -> key -> rest of the line.

    Raises:
        FileNotFoundError: no ``utt2spk``.
        ValueError: a malformed line or duplicate key (file and line named).
    """
    d = Path(data_dir)
    if not (d / "utt2spk").is_file():
        raise FileNotFoundError(f"{d}: data dir has no utt2spk")
    tables: Tables = {}
    for name in TABLES:
        if (d / name).is_file():
            low, high = FIELD_COUNTS[name]
            tables[name] = read_table(d / name, min_fields=low)
            for key, value in tables[name].items():
                if high is not None and 1 + len(value.split()) > high:
                    raise ValueError(f"{d / name}: {key}: expected at most {high} fields, got {key} {value}")
    return tables


def recordings_of(tables: Tables, utts: set[str]) -> set[str]:
    """Recordings that the utterances ``utts`` come from."""
    if "segments" in tables:
        return {tables["segments"][u].split()[0] for u in utts if u in tables["segments"]}
    return set(utts)


def restrict(tables: Tables, utts: set[str]) -> Tables:
    """Keep only the lines of the utterances ``utts``, their speakers and recordings."""
    speakers = {tables["utt2spk"][u] for u in utts if u in tables["utt2spk"]}
    recordings = recordings_of(tables, utts)
    out: Tables = {}
    for name, table in tables.items():
        keep = utts if name in UTT_TABLES else speakers if name in SPK_TABLES else recordings
        out[name] = {k: v for k, v in table.items() if k in keep}
    return out


def write_tables(data_dir: str | os.PathLike, tables: Tables) -> None:
    """Write the tables sorted (each atomically) and ``spk2utt`` from ``utt2spk``.

    Known tables already in ``data_dir`` that ``tables`` lacks are removed, so no stale
    ``feats.scp`` (say) survives next to new utterances.
    """
    d = Path(data_dir)
    d.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        if name not in tables and (d / name).is_file():
            logger.info("%s: removing stale %s", d, name)
            (d / name).unlink()
    for name, table in tables.items():
        write_table(d / name, table)
    write_table(d / "spk2utt", {s: " ".join(u) for s, u in utt2spk_to_spk2utt(tables["utt2spk"]).items()})


def warn_not_carried(src: str | os.PathLike, names: list[str] | tuple[str, ...] = ()) -> None:
    """Warn about the files of ``src`` that a tool does not carry over: ``names`` and any
    regular file that is not a known table (hidden files such as ``.complete`` aside)."""
    d = Path(src)
    known = set(TABLES) | {"spk2utt"}
    others = sorted(p.name for p in d.iterdir()
                    if p.is_file() and not p.name.startswith(".") and p.name not in known)
    dropped = [n for n in names if (d / n).is_file()] + others
    if dropped:
        logger.warning("%s: not carried over: %s", d, " ".join(dropped))


def carry_feature_config(dest: str | os.PathLike, srcs: list[str | os.PathLike], has_feats: bool) -> None:
    """Copy ``conf/feats.yaml`` (the config ``feats.scp`` was computed with) to ``dest`` when
    every source has the same one; warn when ``dest`` has features but no config can be carried."""
    paths = [Path(s, "conf", "feats.yaml") for s in srcs]
    configs = {p.read_bytes() if p.is_file() else None for p in paths}
    if len(configs) != 1 or None in configs:
        if has_feats:
            logger.warning("conf/feats.yaml not carried: the sources' feature configs differ or are missing")
        return
    with atomic_write(Path(dest, "conf", "feats.yaml"), "wb") as f:
        f.write(configs.pop())
