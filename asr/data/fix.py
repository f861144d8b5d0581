"""Repair a data dir the way Kaldi's ``utils/fix_data_dir.sh`` does.

Sorts every table, removes blank lines, CRLF endings and repeated identical lines, keeps
only the utterances present in every per-utterance table (and whose recording and speaker
tables have entries), and rewrites ``spk2utt`` from ``utt2spk``. What it cannot decide (a
key repeated with different values, a malformed line, invalid UTF-8) is an error, and
then nothing is changed.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from asr.data.ops import (FIELD_COUNTS, RECO_TABLES, SPK_TABLES, TABLES, UTT_TABLES, Tables, restrict,
                          split_fields, write_tables)

__all__ = ["fix_data_dir"]

logger = logging.getLogger(__name__)


def _read_lenient(path: Path) -> dict[str, str]:
    """Read a table, tolerating what sorting and cleaning can repair."""
    low, high = FIELD_COUNTS[path.name]
    table: dict[str, str] = {}
    first: dict[str, int] = {}
    for lineno, raw in enumerate(path.read_bytes().split(b"\n"), 1):
        try:
            line = raw.rstrip(b"\r").decode("utf-8")
        except UnicodeDecodeError as e:
            raise ValueError(f"{path}:{lineno}: not valid UTF-8 ({e.reason})") from None
        fields = split_fields(line)
        if not fields:
            continue
        if len(fields) < low or (high is not None and len(fields) > high):
            raise ValueError(f"{path}:{lineno}: expected {low}{'' if high == low else '+'} fields, got {line!r}")
        key, value = fields[0], " ".join(fields[1:])
        if key in table and table[key] != value:
            raise ValueError(f"{path}:{lineno}: {key} was on line {first[key]} with a different value "
                             f"({table[key]!r} vs {value!r}); edit the file by hand")
        table[key] = value
        first.setdefault(key, lineno)
    return table


def _missing(path: Path, what: str, wanted: set[str], table: dict[str, str]) -> None:
    lost = sorted(wanted - table.keys())
    if lost:
        logger.warning("%s lacks %d %s(s) (e.g. %s): removing them", path, len(lost), what, " ".join(lost[:3]))


def fix_data_dir(data_dir: str | os.PathLike, backup: bool = True) -> tuple[int, int]:
    """Repair ``data_dir`` in place, each file atomically.

    Args:
        data_dir (str or PathLike): the data dir; must hold ``utt2spk``.
        backup (bool): copy the original files to ``<data_dir>/.backup/`` first. (Default: ``True``)

    Returns:
        (int, int): utterances kept, utterances ``utt2spk`` had.

    Raises:
        FileNotFoundError: no ``utt2spk``.
        ValueError: a defect it cannot repair (file and line named), or no utterance would
            be left; nothing is changed.
    """
    d = Path(data_dir)
    if not (d / "utt2spk").is_file():
        raise FileNotFoundError(f"{d}: data dir has no utt2spk")
    tables: Tables = {name: _read_lenient(d / name) for name in TABLES if (d / name).is_file()}
    utt2spk = tables["utt2spk"]
    logger.info("%s: utt2spk has %d utterances", d, len(utt2spk))
    utts = set(utt2spk)
    for name in UTT_TABLES:
        if name in tables:
            _missing(d / name, "utterance", utts, tables[name])
            utts &= tables[name].keys()
    recordings = {v.split()[0] for v in tables["segments"].values()} if "segments" in tables else set(utts)
    for name in RECO_TABLES:
        if name in tables:
            _missing(d / name, "recording", recordings, tables[name])
            recordings &= tables[name].keys()
    if "segments" in tables:
        utts = {u for u in utts if tables["segments"][u].split()[0] in recordings}
    else:
        utts &= recordings
    speakers = {utt2spk[u] for u in utts}
    for name in SPK_TABLES:
        if name in tables:
            _missing(d / name, "speaker", speakers, tables[name])
            speakers &= tables[name].keys()
    utts = {u for u in utts if utt2spk[u] in speakers}
    if not utts:
        raise ValueError(f"{d}: no utterance is in every file (see the warnings above)")

    fixed = restrict(tables, utts)
    for name in tables:
        if len(fixed[name]) < len(tables[name]):
            logger.info("%s: removed %d line(s)", d / name, len(tables[name]) - len(fixed[name]))
    if backup:
        (d / ".backup").mkdir(exist_ok=True)
        for name in list(tables) + ["spk2utt"]:
            if (d / name).is_file():
                shutil.copy2(d / name, d / ".backup" / name)
    write_tables(d, fixed)
    return len(utts), len(utt2spk)
