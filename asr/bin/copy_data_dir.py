"""Copy a data dir, optionally adding prefixes/suffixes to utterance and speaker ids (Kaldi's
``utils/copy_data_dir.sh``); with segments, recording ids are kept. The copy is validated.

e.g.: python -m asr.bin.copy_data_dir --utt-prefix rev1- --spk-prefix rev1- data/train data/train_rev1
"""

from __future__ import annotations

import argparse
import sys

from asr.data.copy_dir import copy_data_dir
from asr.utils.logging_setup import setup_logging

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("src", help="the data dir to copy")
    parser.add_argument("dest", help="the new data dir")
    for flag in ("utt-prefix", "utt-suffix", "spk-prefix", "spk-suffix"):
        parser.add_argument(f"--{flag}", default="", help=f"{flag.replace('-', ' ')} to add")
    parser.add_argument("--no-spk-sort", action="store_true",
                        help="validation: do not require utt2spk to be sorted by speaker")
    parser.add_argument("--non-print", action="store_true",
                        help="validation: allow non-printable characters in text")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging()
    try:
        num = copy_data_dir(args.src, args.dest, utt_prefix=args.utt_prefix, utt_suffix=args.utt_suffix,
                            spk_prefix=args.spk_prefix, spk_suffix=args.spk_suffix,
                            check_spk_sort=not args.no_spk_sort, non_print_ok=args.non_print)
    except (OSError, ValueError) as e:
        print(f"copy_data_dir: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"copy_data_dir: copied {num} utterances from {args.src} to {args.dest}")


if __name__ == "__main__":
    main()
