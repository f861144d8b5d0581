"""Logging to console and, optionally, a file under ``exp/*/log/``."""

from __future__ import annotations

import logging
import os
import sys

__all__ = ["setup_logging"]

_FORMAT = "%(asctime)s %(levelname)s [%(filename)s:%(lineno)d] %(message)s"


def setup_logging(log_file: str | os.PathLike | None = None, level: int = logging.INFO) -> None:
    """Send log records to stderr and, when ``log_file`` is given, append them there too."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file is not None:
        os.makedirs(os.path.dirname(os.path.abspath(log_file)), exist_ok=True)
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    logging.basicConfig(level=level, format=_FORMAT, handlers=handlers, force=True)
