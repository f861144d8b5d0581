"""Write a ``wav.scp`` entry's audio, played ``--factor`` times faster, as WAV to stdout.

Used in the pipes of speed-perturbed data dirs (see ``utils/perturb_data_dir_speed.sh``);
like sox's ``speed``: same sample rate, duration / factor, pitch * factor, 16-bit PCM.
This package's own readers do the same in-process (``asr.data.audio.read_audio_entry``).

e.g.: python -m asr.bin.apply_speed --factor 0.9 /data/a.wav > a_sp0.9.wav
"""

from __future__ import annotations

import argparse

from asr.data.audio import write_changed_audio
from asr.data.perturb import speed_perturb_pcm16

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--factor", type=float, required=True, help="speed factor, e.g. 0.9 or 1.1")
    parser.add_argument("entry", help="an audio path, or a wav.scp pipe entry ending in '|' (one argument)")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    write_changed_audio("apply_speed", args.entry, lambda samples, rate: speed_perturb_pcm16(samples, args.factor))


if __name__ == "__main__":
    main()
