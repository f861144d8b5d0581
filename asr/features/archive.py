"""Parallel feature jobs on disk: each job's Kaldi ark/scp, its completeness, and the
combined ``feats.scp`` / ``utt2num_frames`` of the data dir.

Job ``j`` of ``n`` takes the ``j``-th contiguous chunk of the data dir's sorted
utterances and writes ``<dir>/<prefix>.<j>.ark`` (binary float matrices, readable by
Kaldi and kaldiio), ``<prefix>.<j>.yaml`` (the resolved feature config) and last
``<prefix>.<j>.scp``, each through a temporary file and a rename. A job is complete when
its scp lists exactly its utterances, all pointing into its ark, the ark ends exactly
where the last matrix listed ends, and its YAML equals the current config; a rerun
redoes only incomplete jobs.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable

import kaldiio
import numpy as np

from asr.utils.fileio import atomic_write, read_lines, write_table

__all__ = ["JobFiles", "job_files", "job_utterances", "read_matrix_shape", "job_status",
           "write_job", "combine_jobs"]

# kaldiio/Kaldi binary matrix header: "\0B" "FM " (or "DM ") "\4" int32 rows "\4" int32 cols.
_HEADER = struct.Struct("<2s3scici")
_ELEMENT_SIZE = {b"FM ": 4, b"DM ": 8}


@dataclass(frozen=True)
class JobFiles:
    """The files of one job (absolute paths, as written into the scp)."""

    ark: Path
    scp: Path
    config: Path


def job_files(feats_dir: str | os.PathLike, prefix: str, job: int) -> JobFiles:
    """Paths ``<feats_dir>/<prefix>.<job>.{ark,scp,yaml}``, made absolute (like Kaldi's scripts)."""
    base = os.path.join(os.path.abspath(feats_dir), f"{prefix}.{job}")
    return JobFiles(Path(base + ".ark"), Path(base + ".scp"), Path(base + ".yaml"))


def job_utterances(utts: list[str], job: int, num_jobs: int) -> list[str]:
    """The ``job``-th (1-based) of ``num_jobs`` contiguous chunks of ``utts``; sizes differ by at most 1.

    Raises:
        ValueError: a job number out of range, or more jobs than utterances.
    """
    if num_jobs < 1 or not 1 <= job <= num_jobs:
        raise ValueError(f"job {job} of {num_jobs}: expected 1 <= job <= num_jobs")
    if num_jobs > len(utts):
        raise ValueError(f"{num_jobs} jobs for {len(utts)} utterances: use at most {len(utts)} jobs")
    size, extra = divmod(len(utts), num_jobs)
    start = (job - 1) * size + min(job - 1, extra)
    return utts[start:start + size + (1 if job <= extra else 0)]


def read_matrix_shape(f: BinaryIO, offset: int) -> tuple[int, int, int]:
    """Read the header of the binary matrix at ``offset`` of an open ark.

    Returns:
        (int, int, int): rows, columns, and the offset just past the matrix's data.

    Raises:
        ValueError: no binary float/double matrix header there.
    """
    f.seek(offset)
    raw = f.read(_HEADER.size)
    if len(raw) < _HEADER.size:
        raise ValueError(f"offset {offset}: truncated matrix header")
    binary, kind, size1, rows, size2, cols = _HEADER.unpack(raw)
    if binary != b"\0B" or kind not in _ELEMENT_SIZE or size1 != b"\4" or size2 != b"\4" or rows < 0 or cols < 0:
        raise ValueError(f"offset {offset}: not a binary Kaldi float matrix")
    return rows, cols, offset + _HEADER.size + rows * cols * _ELEMENT_SIZE[kind]


def _read_scp(path: Path) -> list[tuple[str, str, int]]:
    entries = []
    for lineno, line in enumerate(read_lines(path), 1):
        fields = line.split()
        ark, sep, offset = fields[1].rpartition(":") if len(fields) == 2 else ("", "", "")
        if not sep or not offset.isdigit():
            raise ValueError(f"{path}:{lineno}: expected 'utt ark-path:offset', got {line!r}")
        entries.append((fields[0], ark, int(offset)))
    return entries


def job_status(files: JobFiles, utts: list[str], config_text: str) -> str | None:
    """``None`` if the job's outputs are complete for ``utts`` and ``config_text``, else why not."""
    if not files.scp.is_file():
        return f"{files.scp} does not exist"
    if not files.ark.is_file():
        return f"{files.ark} does not exist"
    if not files.config.is_file() or files.config.read_text(encoding="utf-8") != config_text:
        return f"{files.config} is missing or holds another feature config"
    try:
        entries = _read_scp(files.scp)
    except ValueError as e:
        return str(e)
    if [utt for utt, _, _ in entries] != utts:
        return f"{files.scp} does not list exactly this job's {len(utts)} utterances"
    if any(ark != str(files.ark) for _, ark, _ in entries):
        return f"{files.scp} points outside {files.ark}"
    with open(files.ark, "rb") as f:
        try:
            _, _, end = read_matrix_shape(f, entries[-1][2])
        except ValueError as e:
            return f"{files.ark}: {e}"
    size = files.ark.stat().st_size
    if size != end:
        return f"{files.ark} has {size} bytes, its last matrix ends at {end}"
    return None


def write_job(files: JobFiles, features: Iterable[tuple[str, np.ndarray]], config_text: str) -> None:
    """Write one job's ark, config and (last) scp, each atomically.

    Args:
        files (JobFiles): where.
        features (iterable of (str, np.ndarray)): utterance and ``(frames, dim)`` matrix, in order.
        config_text (str): the resolved feature config (see ``dump_feature_config``).
    """
    files.scp.unlink(missing_ok=True)
    lines = []
    with atomic_write(files.ark, "wb") as f:
        for utt, feats in features:
            offset = f.tell() + len(utt.encode("utf-8")) + 1
            kaldiio.save_ark(f, {utt: np.ascontiguousarray(feats, dtype=np.float32)})
            lines.append(f"{utt} {files.ark}:{offset}\n")
    with atomic_write(files.config) as f:
        f.write(config_text)
    with atomic_write(files.scp) as f:
        f.writelines(lines)


def combine_jobs(
    data_dir: str | os.PathLike, feats_dir: str | os.PathLike, prefix: str, utts: list[str],
    num_jobs: int, config_text: str,
) -> dict[str, int]:
    """Check every job is complete, then write ``<data_dir>/utt2num_frames`` and, last,
    ``<data_dir>/feats.scp`` (sorted, atomically).

    Returns:
        dict[str, int]: frames per utterance.

    Raises:
        ValueError: an incomplete job (named, with the reason).
    """
    feats: dict[str, str] = {}
    frames: dict[str, int] = {}
    for job in range(1, num_jobs + 1):
        files = job_files(feats_dir, prefix, job)
        reason = job_status(files, job_utterances(utts, job, num_jobs), config_text)
        if reason is not None:
            raise ValueError(f"job {job} of {num_jobs} is not complete: {reason}")
        with open(files.ark, "rb") as f:
            for utt, ark, offset in _read_scp(files.scp):
                feats[utt] = f"{ark}:{offset}"
                frames[utt] = read_matrix_shape(f, offset)[0]
    data_dir = Path(data_dir)
    write_table(data_dir / "utt2num_frames", {utt: str(n) for utt, n in frames.items()})
    write_table(data_dir / "feats.scp", feats)
    return frames
