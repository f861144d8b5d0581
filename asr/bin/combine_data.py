"""Merge data dirs into a new one, like Kaldi's ``utils/combine_data.sh``.

e.g.: python -m asr.bin.combine_data data/train_all data/train data/train_sp0.9
"""

from __future__ import annotations

import argparse
import sys

from asr.data.combine import combine_data_dirs
from asr.utils.logging_setup import setup_logging

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("dest", help="the new data dir")
    parser.add_argument("srcs", nargs="+", help="the data dirs to merge")
    parser.add_argument("--skip-fix", action="store_true",
                        help="do not run fix_data_dir on the result")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging()
    try:
        num = combine_data_dirs(args.dest, args.srcs, skip_fix=args.skip_fix)
    except (OSError, ValueError) as e:
        print(f"combine_data: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"combine_data: wrote {num} utterances from {len(args.srcs)} data dirs to {args.dest}")


if __name__ == "__main__":
    main()
