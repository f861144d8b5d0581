"""Write a wav2vec 2.0 / HuBERT checkpoint file for the SSL front ends (format:
asr.nnet.ssl_checkpoint), from a torchaudio bundle's weights or a random initialization.
Nothing is downloaded unless --bundle is given without --state-dict and torchaudio's
cache lacks the weights.

e.g.: python -m asr.bin.save_ssl_checkpoint --bundle HUBERT_BASE downloads/hubert_base.pt
      python -m asr.bin.save_ssl_checkpoint --bundle WAV2VEC2_BASE --state-dict w2v.pt downloads/w2v.pt
      python -m asr.bin.save_ssl_checkpoint --random-init tiny_args.yaml --kind hubert exp/tiny_hubert.pt
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
import yaml

from asr.nnet.ssl_checkpoint import SSL_KINDS, convert_bundle, save_ssl_checkpoint
from asr.utils.yaml_config import load_config_yaml

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("out", type=Path, help="checkpoint file to write")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--bundle", help="torchaudio.pipelines bundle, e.g. WAV2VEC2_BASE or HUBERT_BASE")
    source.add_argument("--random-init", type=Path, metavar="ARGS_YAML",
                        help="YAML mapping of torchaudio.models.wav2vec2_model arguments; random weights")
    parser.add_argument("--state-dict", type=Path,
                        help="with --bundle: a torch.save'd bundle.get_model().state_dict() instead of the cache")
    parser.add_argument("--kind", choices=SSL_KINDS, default="wav2vec2", help="with --random-init: the model kind")
    parser.add_argument("--sample-rate", type=int, default=16000, help="with --random-init: the audio rate")
    parser.add_argument("--seed", type=int, default=0, help="with --random-init: torch seed")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    try:
        if args.bundle is not None:
            if args.state_dict is not None and not args.state_dict.is_file():
                raise ValueError(f"no such file {args.state_dict}")
            convert_bundle(args.bundle, args.out, args.state_dict)
        else:
            if args.state_dict is not None:
                raise ValueError("--state-dict goes with --bundle")
            if not args.random_init.is_file():
                raise ValueError(f"no such file {args.random_init}")
            model_args = load_config_yaml(args.random_init.read_text())
            if not isinstance(model_args, dict):
                raise ValueError(f"{args.random_init}: not a mapping of wav2vec2_model arguments")
            torch.manual_seed(args.seed)
            save_ssl_checkpoint(args.out, args.kind, model_args, sample_rate=args.sample_rate)
    except (OSError, ValueError, yaml.YAMLError) as e:
        print(f"save_ssl_checkpoint: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"save_ssl_checkpoint: wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
