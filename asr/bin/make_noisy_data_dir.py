"""Make a noisy copy of a data dir (see ``asr.data.add_noise``): the same utterance ids,
speakers and text, the audio with noise at a given SNR (reverberated first with --rt60)
written to ``<dest>/wav/``.

e.g.: python -m asr.bin.make_noisy_data_dir --snr 10 --noise pink data/test data/test_pink10
      python -m asr.bin.make_noisy_data_dir --noise none --rt60 0.6 --drr 0 data/test data/test_rev
"""

from __future__ import annotations

import argparse
import sys

from asr.data.add_noise import COLORS, add_noise_data_dir, describe_condition
from asr.utils.logging_setup import setup_logging

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--snr", type=float, default=10.0, help="signal-to-noise ratio, dB")
    parser.add_argument("--noise", default="white", choices=[*COLORS, "scp", "none"],
                        help="a noise color, scp: the recordings of --noise-scp, or none (reverberation only)")
    parser.add_argument("--noise-scp", default=None, help="wav.scp of noise recordings (--noise scp)")
    parser.add_argument("--num-mix", type=int, default=1,
                        help="noise recordings summed per utterance (3 or more speech recordings: babble)")
    parser.add_argument("--seed", type=int, default=0, help="with each utterance id, seeds the noise")
    parser.add_argument("--sample-rate", type=int, default=8000, help="rate of the written audio")
    parser.add_argument("--id-prefix", default="",
                        help="prefix of every utterance and speaker id (to combine the copy with its source)")
    parser.add_argument("--rt60", type=float, default=0.0,
                        help="reverberation time of a synthetic room, seconds; 0: no reverberation")
    parser.add_argument("--drr", type=float, default=0.0,
                        help="direct-to-reverberant energy ratio of the room, dB (with --rt60)")
    parser.add_argument("src", help="the data dir to copy")
    parser.add_argument("dest", help="the new data dir")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging()
    try:
        num = add_noise_data_dir(args.src, args.dest, snr_db=args.snr, noise=args.noise, noise_scp=args.noise_scp,
                                 num_mix=args.num_mix, seed=args.seed, sample_rate=args.sample_rate,
                                 id_prefix=args.id_prefix, rt60=args.rt60, drr_db=args.drr)
    except (OSError, ValueError) as e:
        print(f"make_noisy_data_dir: {e}", file=sys.stderr)
        sys.exit(1)
    condition = describe_condition(args.noise, args.snr, args.rt60, args.drr)
    print(f"make_noisy_data_dir: wrote {num} utterances ({condition}) to {args.dest}")


if __name__ == "__main__":
    main()
