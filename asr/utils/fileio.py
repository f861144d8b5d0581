"""Atomic writes and Kaldi-style text tables (``key value...`` per line)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterable, Iterator, TextIO

__all__ = ["atomic_write", "read_table", "write_table", "read_lines"]


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w") -> Iterator[TextIO]:
    """Open a temporary file next to ``path``; rename it over ``path`` only on success.

    Args:
        path (str or PathLike): final destination.
        mode (str): ``"w"`` (text, UTF-8, ``\\n`` newlines) or ``"wb"``. (Default: ``"w"``)

    A crash or exception inside the ``with`` block leaves ``path`` untouched.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write: mode must be 'w' or 'wb', got {mode!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        kwargs = {"encoding": "utf-8", "newline": "\n"} if mode == "w" else {}
        with os.fdopen(fd, mode, **kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def read_lines(path: str | os.PathLike) -> list[str]:
    """Read a UTF-8 text file into lines without their ``\\n``.

    Raises:
        ValueError: the file is not valid UTF-8 (names file and line).
    """
    data = Path(path).read_bytes()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    out = []
    for lineno, raw in enumerate(lines, 1):
        try:
            out.append(raw.decode("utf-8"))
        except UnicodeDecodeError as e:
            raise ValueError(f"{path}:{lineno}: not valid UTF-8 ({e.reason})") from None
    return out


def read_table(path: str | os.PathLike, min_fields: int = 2) -> dict[str, str]:
    """Read a Kaldi table: the first whitespace-separated field is the key, the rest the value.

    Args:
        path (str or PathLike): e.g. ``wav.scp``, ``text``, ``utt2spk``.
        min_fields (int): fields each line must have, key included. (Default: ``2``)

    Returns:
        dict[str, str]: key to the rest of the line (stripped), in file order.

    Raises:
        ValueError: a short line or a duplicate key, naming file and line.
    """
    table: dict[str, str] = {}
    for lineno, line in enumerate(read_lines(path), 1):
        fields = line.split(maxsplit=1)
        if len(fields) < 1 or (min_fields > 1 and len(line.split()) < min_fields):
            raise ValueError(f"{path}:{lineno}: expected at least {min_fields} fields, got {line!r}")
        key = fields[0]
        if key in table:
            raise ValueError(f"{path}:{lineno}: duplicate key {key!r}")
        table[key] = fields[1].strip() if len(fields) > 1 else ""
    return table


def write_table(path: str | os.PathLike, rows: Iterable[tuple[str, str]] | dict[str, str]) -> None:
    """Write ``key value`` lines sorted by key in C-locale (byte) order, atomically."""
    items = rows.items() if isinstance(rows, dict) else rows
    ordered = sorted(items, key=lambda kv: kv[0].encode("utf-8"))
    with atomic_write(path) as f:
        for key, value in ordered:
            f.write(f"{key} {value}\n" if value != "" else f"{key}\n")
