"""Write a ``wav.scp`` entry's audio, passed through a simulated noise gate, as WAV to stdout.

Used in the pipes of gated data dirs (see ``utils/perturb_data_dir_gate.sh`` and
``asr.data.noise_gate``); the seed fixes the gate's threshold, hold time and floor noise.
This package's own readers do the same in-process (``asr.data.audio.read_audio_entry``).

e.g.: python -m asr.bin.apply_gate --seed 7 /data/a.wav > a_gate.wav
"""

from __future__ import annotations

import argparse

from asr.data.audio import write_changed_audio
from asr.data.noise_gate import noise_gate_pcm16

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--seed", type=int, required=True, help="gate seed (non-negative)")
    parser.add_argument("entry", help="an audio path, or a wav.scp pipe entry ending in '|' (one argument)")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    write_changed_audio("apply_gate", args.entry, lambda samples, rate: noise_gate_pcm16(samples, rate, args.seed))


if __name__ == "__main__":
    main()
