"""Validation of a Kaldi data dir (Kaldi's ``utils/validate_data_dir.sh`` rules, and more).

Every defect found is reported, not only the first, as ``<dir>/<file>:<line>: message``.
Nothing is executed: pipe entries in ``wav.scp`` are parsed and the audio files they name
are checked for existence. Relative paths are taken relative to the working directory, as
the tools that read the data dir will.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from asr.data.ops import FIELD_COUNTS, RECO_TABLES, SPK_TABLES, UTT_TABLES, split_fields
from asr.data.pipes import is_pipe, parse_pipe

__all__ = ["validate_data_dir"]

# control characters (tab allowed as a separator), Unicode line separators, byte-order mark
_NON_PRINT = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
_AUDIO_SUFFIXES = (".wav", ".flac", ".sph", ".mp3", ".ogg", ".opus")
_ILLEGAL_WORDS = {"<s>", "</s>", "#0"}


@dataclass
class _Line:
    lineno: int
    fields: list[str]
    value: str  # the line after the key, stripped
    ok: bool  # field count as required


def _scan(path: Path, errors: list[str], printable: bool = True) -> dict[str, _Line]:
    """Line-level checks of one table; returns its lines by key (first occurrence)."""
    lo, hi = FIELD_COUNTS[path.name]
    data = path.read_bytes()
    if not data:
        errors.append(f"{path}: file is empty")
        return {}
    raw_lines = data.split(b"\n")
    if raw_lines[-1] == b"":
        raw_lines.pop()
    else:
        errors.append(f"{path}:{len(raw_lines)}: no newline at end of file")
    table: dict[str, _Line] = {}
    prev: bytes | None = None
    for lineno, raw in enumerate(raw_lines, 1):
        where = f"{path}:{lineno}"
        if raw.endswith(b"\r"):
            errors.append(f"{where}: CRLF line ending (convert the file with dos2unix)")
            raw = raw[:-1]
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            errors.append(f"{where}: not valid UTF-8 ({e.reason} at byte {e.start})")
            continue
        fields = split_fields(line)
        if not fields:
            errors.append(f"{where}: blank line")
            continue
        bad = _NON_PRINT.search(line)
        if printable and bad:
            errors.append(f"{where}: non-printable character U+{ord(bad.group()):04X} at column {bad.start() + 1}")
        if line[0] in " \t":
            errors.append(f"{where}: line starts with whitespace")
        ok = len(fields) >= lo and (hi is None or len(fields) <= hi)
        if not ok:
            want = f"{lo}" if lo == hi else f"at least {lo}" if hi is None else f"{lo}-{hi}"
            errors.append(f"{where}: expected {want} fields, got {len(fields)}: {line.strip()!r}")
        key, key_bytes = fields[0], fields[0].encode("utf-8")
        if key in table:
            errors.append(f"{where}: duplicate key {key} (first on line {table[key].lineno})")
            continue
        if prev is not None and key_bytes < prev:
            errors.append(f"{where}: not sorted: {key} comes after {prev.decode('utf-8')} "
                          "(C-locale byte order; utils/fix_data_dir.sh sorts)")
        prev = key_bytes
        table[key] = _Line(lineno, fields, line.strip(" \t")[len(key):].strip(" \t"), ok)
    return table


def _compare_keys(errors: list[str], ref_path: Path, ref: dict[str, _Line], path: Path,
                  table: dict[str, _Line], what: str) -> None:
    """Both tables must hold the same keys; each difference is named at its line."""
    for key, line in table.items():
        if key not in ref:
            errors.append(f"{path}:{line.lineno}: {what} {key} is not in {ref_path.name}")
    for key, line in ref.items():
        if key not in table:
            errors.append(f"{ref_path}:{line.lineno}: {what} {key} is missing from {path.name}")


def _check_spk2utt(errors: list[str], d: Path, utt2spk: dict[str, _Line], spk2utt: dict[str, _Line]) -> None:
    """spk2utt must be exactly the inversion of utt2spk (utterances sorted)."""
    listed: dict[str, int] = {}
    for spk, line in spk2utt.items():
        where = f"{d / 'spk2utt'}:{line.lineno}"
        utts = line.fields[1:]
        if [u.encode("utf-8") for u in utts] != sorted(u.encode("utf-8") for u in utts):
            errors.append(f"{where}: utterances of speaker {spk} are not in sorted order")
        for utt in utts:
            if utt in listed:
                errors.append(f"{where}: utterance {utt} is already listed on line {listed[utt]}")
                continue
            listed[utt] = line.lineno
            if utt not in utt2spk:
                errors.append(f"{where}: utterance {utt} (speaker {spk}) is not in utt2spk")
            elif len(utt2spk[utt].fields) >= 2 and utt2spk[utt].fields[1] != spk:
                errors.append(f"{where}: utterance {utt} is listed under speaker {spk}, but "
                              f"utt2spk:{utt2spk[utt].lineno} says {utt2spk[utt].fields[1]}")
    for utt, line in utt2spk.items():
        if utt not in listed:
            errors.append(f"{d / 'utt2spk'}:{line.lineno}: utterance {utt} is missing from spk2utt")


def _check_spk_sort(errors: list[str], d: Path, utt2spk: dict[str, _Line]) -> None:
    """Kaldi's rule: utt2spk sorted by utterance is also sorted by speaker."""
    prev = None
    for utt, line in utt2spk.items():
        if len(line.fields) < 2:
            continue
        spk = line.fields[1].encode("utf-8")
        if prev is not None and spk < prev:
            errors.append(f"{d / 'utt2spk'}:{line.lineno}: utterance {utt}: not sorted by speaker "
                          f"({spk.decode('utf-8')} comes after {prev.decode('utf-8')}); make speaker "
                          "ids prefixes of utterance ids, or pass --no-spk-sort")
        prev = spk


def _check_text(errors: list[str], path: Path, text: dict[str, _Line]) -> None:
    for utt, line in text.items():
        where = f"{path}:{line.lineno}"
        if len(line.fields) == 1:
            errors.append(f"{where}: empty transcript for utterance {utt}")
        for word in _ILLEGAL_WORDS.intersection(line.fields[1:]):
            errors.append(f"{where}: utterance {utt}: reserved symbol {word} in transcript")


def _check_segments(errors: list[str], path: Path, segments: dict[str, _Line],
                    wav: dict[str, _Line] | None) -> set[str]:
    """Returns the recordings the segments use."""
    recordings = set()
    for utt, line in segments.items():
        if not line.ok:
            continue
        where = f"{path}:{line.lineno}: utterance {utt}"
        reco = line.fields[1]
        recordings.add(reco)
        if wav is not None and reco not in wav:
            errors.append(f"{where}: recording {reco} is not in wav.scp")
        try:
            start, end = float(line.fields[2]), float(line.fields[3])
        except ValueError:
            errors.append(f"{where}: start/end are not numbers: {line.value!r}")
            continue
        if not (math.isfinite(start) and math.isfinite(end)):
            errors.append(f"{where}: start/end are not finite: {line.value!r}")
        elif start < 0:
            errors.append(f"{where}: negative start time {start}")
        elif end != -1 and end <= start:
            errors.append(f"{where}: end time {end} is not after start time {start} (use -1 for 'to the end')")
    return recordings


class _AudioChecker:
    """Existence of the audio that wav.scp entries name; pipes are parsed, never run."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        self._programs: dict[str, bool] = {}

    def check(self, where: str, entry: str) -> None:
        if is_pipe(entry):
            try:
                stages = parse_pipe(entry)
            except ValueError as e:
                self.errors.append(f"{where}: {e}")
                return
            for argv in stages:
                if argv[0] not in self._programs:
                    self._programs[argv[0]] = shutil.which(argv[0]) is not None
                if not self._programs[argv[0]]:
                    self.errors.append(f"{where}: program {argv[0]} (in a pipe) is not found or not executable")
                for arg in argv[1:]:
                    if is_pipe(arg):
                        self.check(where, arg)
                    elif not arg.startswith("-") and arg.lower().endswith(_AUDIO_SUFFIXES):
                        self._check_file(where, arg, " (in a pipe)")
        else:
            self._check_file(where, entry, "")

    def _check_file(self, where: str, path: str, how: str) -> None:
        try:
            st = os.stat(path)
        except OSError:
            hint = " (~ is not expanded)" if path.startswith("~") else ""
            self.errors.append(f"{where}: audio file{how} does not exist: {path}{hint}")
            return
        if not stat.S_ISREG(st.st_mode):
            self.errors.append(f"{where}: audio path{how} is not a regular file: {path}")
        elif st.st_size == 0:
            self.errors.append(f"{where}: audio file{how} is empty (0 bytes): {path}")


def _check_values(errors: list[str], path: Path, table: dict[str, _Line]) -> None:
    """Per-file value rules: durations > 0, frame counts positive integers, genders m/f."""
    for key, line in table.items():
        if not line.ok:
            continue
        value, where = line.fields[1], f"{path}:{line.lineno}"
        if path.name in ("utt2dur", "reco2dur"):
            try:
                good = float(value) > 0 and math.isfinite(float(value))
            except ValueError:
                good = False
            if not good:
                errors.append(f"{where}: {key}: duration must be a positive number, got {value!r}")
        elif path.name == "utt2num_frames" and not (value.isdigit() and int(value) > 0):
            errors.append(f"{where}: {key}: frame count must be a positive integer, got {value!r}")
        elif path.name == "spk2gender" and value not in ("m", "f"):
            errors.append(f"{where}: {key}: gender must be m or f, got {value!r}")
        elif path.name == "reco2file_and_channel" and line.fields[2] not in ("A", "B", "1"):
            errors.append(f"{where}: {key}: channel must be A or B, got {line.fields[2]!r}")


def validate_data_dir(
    data_dir: str | os.PathLike,
    check_text: bool = True,
    check_wav: bool = True,
    check_spk_sort: bool = True,
    non_print_ok: bool = False,
) -> list[str]:
    """Check a data dir; return every problem found (an empty list: valid).

    Args:
        data_dir (str or PathLike): the data dir.
        check_text (bool): ``text`` must exist (Kaldi's ``--no-text`` sets ``False``); a
            present ``text`` is always checked. (Default: ``True``)
        check_wav (bool): ``wav.scp`` must exist (``--no-wav``); a present one is always
            checked, including that its audio exists. (Default: ``True``)
        check_spk_sort (bool): ``utt2spk`` must also be sorted by speaker (``--no-spk-sort``
            sets ``False``). (Default: ``True``)
        non_print_ok (bool): allow non-printable characters in ``text`` (``--non-print``).
            (Default: ``False``)

    Returns:
        list[str]: messages ``<dir>/<file>:<line>: ...`` (or ``<dir>/<file>: ...``).

    ``feats.scp`` and the other optional tables (``cmvn.scp``, ``utt2num_frames``,
    ``utt2dur``, ``utt2uniq``, ``spk2gender``, ``reco2dur``, ...) are checked when present.
    """
    d = Path(data_dir)
    if not d.is_dir():
        return [f"{d}: no such directory"]
    errors: list[str] = []
    present = {name for name in FIELD_COUNTS if (d / name).is_file()}
    required = ["utt2spk", "spk2utt"] + (["wav.scp"] if check_wav else []) + (["text"] if check_text else [])
    for name in required:
        if name not in present:
            errors.append(f"{d / name}: no such file")
    if "segments" in present and "wav.scp" not in present:
        errors.append(f"{d / 'segments'}: segments file exists but there is no wav.scp")
    tables = {name: _scan(d / name, errors, printable=not (non_print_ok and name == "text"))
              for name in sorted(present)}

    utt2spk = tables.get("utt2spk")
    if utt2spk is not None:
        if check_spk_sort:
            _check_spk_sort(errors, d, utt2spk)
        if "spk2utt" in tables:
            _check_spk2utt(errors, d, utt2spk, tables["spk2utt"])
        for name in UTT_TABLES:
            if name in tables and name != "utt2spk":
                _compare_keys(errors, d / "utt2spk", utt2spk, d / name, tables[name], "utterance")
    if "text" in tables:
        _check_text(errors, d / "text", tables["text"])
    if "spk2utt" in tables:
        for name in SPK_TABLES:
            if name in tables:
                _compare_keys(errors, d / "spk2utt", tables["spk2utt"], d / name, tables[name], "speaker")
    for name in ("utt2dur", "utt2num_frames", "reco2dur", "spk2gender", "reco2file_and_channel"):
        if name in tables:
            _check_values(errors, d / name, tables[name])

    wav = tables.get("wav.scp")
    if "segments" in tables:
        used = _check_segments(errors, d / "segments", tables["segments"], wav)
        for reco, line in (wav or {}).items():
            if reco not in used:
                errors.append(f"{d / 'wav.scp'}:{line.lineno}: recording {reco} is used by no segment")
    elif wav is not None and utt2spk is not None:
        _compare_keys(errors, d / "utt2spk", utt2spk, d / "wav.scp", wav, "utterance")
    if wav is not None:
        for name in RECO_TABLES:
            if name in tables and name != "wav.scp":
                _compare_keys(errors, d / "wav.scp", wav, d / name, tables[name], "recording")
        audio = _AudioChecker(errors)
        for reco, line in wav.items():
            if line.ok:
                audio.check(f"{d / 'wav.scp'}:{line.lineno}: {reco}", line.value)
    return errors
