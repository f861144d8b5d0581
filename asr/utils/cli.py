"""Argument types shared by the command-line entry points."""

from __future__ import annotations

import argparse

__all__ = ["shell_bool"]


def shell_bool(text: str) -> bool:
    """``true`` or ``false``, as Kaldi scripts spell booleans (``utils/parse_options.sh``)."""
    if text not in ("true", "false"):
        raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")
    return text == "true"
