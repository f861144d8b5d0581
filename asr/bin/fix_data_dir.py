"""Repair a data dir like Kaldi's ``utils/fix_data_dir.sh``: sort every file, keep the
utterances present in all of them, regenerate ``spk2utt``; originals go to ``<dir>/.backup/``.

e.g.: python -m asr.bin.fix_data_dir data/train
"""

from __future__ import annotations

import argparse
import logging
import sys

from asr.data.fix import fix_data_dir
from asr.utils.logging_setup import setup_logging

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("data_dir", help="the data dir to repair in place")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging()
    try:
        kept, total = fix_data_dir(args.data_dir)
    except (OSError, ValueError) as e:
        logging.error("fix_data_dir: %s (nothing was changed)", e)
        sys.exit(1)
    if kept == total:
        print(f"fix_data_dir: kept all {total} utterances; old files are in {args.data_dir}/.backup")
    else:
        print(f"fix_data_dir: kept {kept} utterances out of {total} (removed {total - kept}); "
              f"old files are in {args.data_dir}/.backup")


if __name__ == "__main__":
    main()
