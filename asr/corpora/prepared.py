"""Building a data dir once: build, validate, then a ``.complete`` marker that records how.

A rerun with the same *stamp* (a text naming the inputs, e.g. the corpus root and seed)
skips the data dir; a different stamp, or no marker (an interrupted or failed build),
rebuilds it from an empty folder, so no stale file (``feats.scp``, old wavs) survives.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Callable

from asr.corpora.download import MARKER
from asr.data.validate import validate_data_dir

__all__ = ["build_data_dir"]

logger = logging.getLogger(__name__)


def build_data_dir(path: str | os.PathLike, stamp: str, build: Callable[[Path], None],
                   overwrite: bool = False) -> bool:
    """Run ``build(path)`` into an empty ``path`` unless it is complete with the same stamp.

    Args:
        path (str or PathLike): the data dir.
        stamp (str): describes the inputs; stored in ``path/.complete``.
        build (callable): writes the data dir's files into the folder it is given.
        overwrite (bool): rebuild even when complete. (Default: ``False``)

    Returns:
        bool: ``True`` when built, ``False`` when skipped as already complete.

    Raises:
        ValueError: the built data dir fails validation (every problem listed); it is left
            in place without a marker for inspection.
    """
    path = Path(path)
    marker = path / MARKER
    stamp = stamp.rstrip("\n") + "\n"
    if not overwrite and marker.is_file() and marker.read_text(encoding="utf-8") == stamp:
        logger.info("%s: already complete, skipping", path)
        return False
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    build(path)
    errors = validate_data_dir(path)
    if errors:
        raise ValueError(f"{path}: data dir fails validation:\n  " + "\n  ".join(errors))
    marker.write_text(stamp, encoding="utf-8")
    logger.info("%s: prepared", path)
    return True
