"""Check a Kaldi data dir; print every problem (file and line) and exit 1 if there is any.

e.g.: python -m asr.bin.validate_data_dir --no-text data/test
"""

from __future__ import annotations

import argparse
import sys

from asr.data.validate import validate_data_dir

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("data_dir", help="the data dir, e.g. data/train")
    parser.add_argument("--no-text", action="store_true",
                        help="do not require text (it is still checked when present)")
    parser.add_argument("--no-wav", action="store_true",
                        help="do not require wav.scp (it is still checked when present)")
    parser.add_argument("--no-feats", action="store_true",
                        help="accepted for Kaldi compatibility: feats.scp is never required "
                        "here, and is checked when present")
    parser.add_argument("--no-spk-sort", action="store_true",
                        help="do not require utt2spk to be sorted by speaker as well as by utterance")
    parser.add_argument("--non-print", action="store_true",
                        help="allow non-printable characters in text")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    errors = validate_data_dir(args.data_dir, check_text=not args.no_text, check_wav=not args.no_wav,
                               check_spk_sort=not args.no_spk_sort, non_print_ok=args.non_print)
    for error in errors:
        print(error, file=sys.stderr)
    if errors:
        print(f"validate_data_dir: {args.data_dir}: {len(errors)} error(s)", file=sys.stderr)
        sys.exit(1)
    print(f"validate_data_dir: successfully validated data dir {args.data_dir}")


if __name__ == "__main__":
    main()
