"""Write <ensemble-dir>/members listing end-to-end model dirs with the same units
(utils/make_ensemble_dir.sh), for steps/decode.sh.

e.g.: python -m asr.bin.make_ensemble_dir exp/conformer_ctc_ens2 exp/conformer_ctc exp/conformer_ctc_seed1
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from asr.decode.ensemble import write_ensemble_dir
from asr.utils.logging_setup import setup_logging

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("ensemble_dir", type=Path)
    parser.add_argument("members", type=Path, nargs="+", help="end-to-end model dirs (at least 2)")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging()
    try:
        write_ensemble_dir(args.ensemble_dir, args.members)
    except (OSError, ValueError) as e:
        print(f"make_ensemble_dir: {e}", file=sys.stderr)
        sys.exit(1)
    logging.info("wrote %s/members (%d model dirs)", args.ensemble_dir, len(args.members))


if __name__ == "__main__":
    main()
