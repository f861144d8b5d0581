"""Make a speed-perturbed copy of a data dir (Kaldi's ``utils/perturb_data_dir_speed.sh``):
ids prefixed ``sp<factor>-``, wav.scp entries piped through ``asr.bin.apply_speed``.

e.g.: python -m asr.bin.perturb_data_dir_speed 0.9 data/train data/train_sp0.9
"""

from __future__ import annotations

import argparse
import sys

from asr.data.perturb import perturb_data_dir_speed
from asr.utils.logging_setup import setup_logging

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("factor", help="speed factor as it should appear in the ids, e.g. 0.9")
    parser.add_argument("src", help="the data dir to perturb")
    parser.add_argument("dest", help="the new data dir")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging()
    try:
        num = perturb_data_dir_speed(args.factor, args.src, args.dest)
    except (OSError, ValueError) as e:
        print(f"perturb_data_dir_speed: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"perturb_data_dir_speed: wrote {num} utterances at speed {args.factor} to {args.dest}")


if __name__ == "__main__":
    main()
