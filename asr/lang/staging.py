"""Build an output dir next to its destination and swap it in only when complete."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

__all__ = ["staged_dir"]


@contextlib.contextmanager
def staged_dir(dest: str | os.PathLike) -> Iterator[Path]:
    """Yield an empty dir beside ``dest``; on success it replaces ``dest`` as a whole.

    An exception inside the ``with`` block leaves ``dest`` as it was. No file of an
    earlier ``dest`` survives the swap.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        os.chmod(stage, 0o755)
        yield stage
        if dest.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old.", dir=dest.parent))
            os.replace(dest, old / dest.name)
            os.replace(stage, dest)
            shutil.rmtree(old)
        else:
            os.replace(stage, dest)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
