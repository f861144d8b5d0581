"""Make a noise-gated copy of a data dir (augmentation, see ``asr.data.noise_gate``):
utterance ids suffixed ``-gate``, speakers kept, wav.scp entries piped through
``asr.bin.apply_gate`` with a seed per recording.

e.g.: python -m asr.bin.perturb_data_dir_gate data/train data/train_gate
"""

from __future__ import annotations

import argparse
import sys

from asr.data.noise_gate import perturb_data_dir_gate
from asr.utils.logging_setup import setup_logging

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--seed", type=int, default=0, help="base seed of the gates")
    parser.add_argument("--suffix", default="-gate", help="added to utterance and recording ids")
    parser.add_argument("src", help="the data dir to gate")
    parser.add_argument("dest", help="the new data dir")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging()
    try:
        num = perturb_data_dir_gate(args.src, args.dest, seed=args.seed, suffix=args.suffix)
    except (OSError, ValueError) as e:
        print(f"perturb_data_dir_gate: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"perturb_data_dir_gate: wrote {num} noise-gated utterances to {args.dest}")


if __name__ == "__main__":
    main()
