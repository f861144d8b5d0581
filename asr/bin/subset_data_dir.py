"""Copy a subset of a data dir, like Kaldi's ``utils/subset_data_dir.sh``.

Usage: subset_data_dir [--first|--last|--shortest|--per-spk] <src> <num-utts> <dest>
       subset_data_dir --utt-list <file> <src> <dest>
       subset_data_dir --spk-list <file> <src> <dest>
Without an option the utterances are spread evenly over the sorted list (Kaldi's default).

e.g.: python -m asr.bin.subset_data_dir --first data/train 500 data/train_500
"""

from __future__ import annotations

import argparse
import sys

from asr.data.ops import read_tables
from asr.data.subset import read_id_list, select_utterances, subset_data_dir
from asr.utils.logging_setup import setup_logging

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    # no defaults worth showing; the raw description keeps the usage lines
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    how = parser.add_mutually_exclusive_group()
    for mode, text in (("first", "the first N utterances"), ("last", "the last N utterances"),
                       ("shortest", "the N shortest (needs utt2num_frames or utt2dur)"),
                       ("per-spk", "the first N utterances of every speaker")):
        how.add_argument(f"--{mode}", dest="mode", action="store_const", const=mode, help=text)
    how.add_argument("--utt-list", default=None, help="file whose first field is an utterance id to keep")
    how.add_argument("--spk-list", default=None, help="file whose first field is a speaker id to keep")
    parser.add_argument("args", nargs="+", metavar="ARG", help="<src> <num-utts> <dest>, or <src> <dest> with a list")
    parser.set_defaults(mode="even")
    return parser


def main(argv: list[str] | None = None) -> None:
    parser = get_parser()
    args = parser.parse_args(argv)
    setup_logging()
    with_list = args.utt_list is not None or args.spk_list is not None
    if len(args.args) != (2 if with_list else 3):
        parser.error("expected <src> <dest> with --utt-list/--spk-list, else <src> <num-utts> <dest>")
    src, dest = args.args[0], args.args[-1]
    try:
        if args.spk_list is not None:
            num = subset_data_dir(src, dest, speakers=set(read_id_list(args.spk_list)))
        elif args.utt_list is not None:
            num = subset_data_dir(src, dest, utts=set(read_id_list(args.utt_list)))
        else:
            if not args.args[1].isdigit():
                parser.error(f"<num-utts> must be a positive integer, got {args.args[1]!r}")
            utts = select_utterances(read_tables(src), int(args.args[1]), mode=args.mode)
            num = subset_data_dir(src, dest, utts=utts)
    except (OSError, ValueError) as e:
        print(f"subset_data_dir: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"subset_data_dir: wrote {num} utterances from {src} to {dest}")


if __name__ == "__main__":
    main()
