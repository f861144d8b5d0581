"""Train an end-to-end (CTC / attention) model on a Kaldi data dir; writes a model dir.

e.g.: python -m asr.bin.train_e2e --config conf/model/conformer_ctc.yaml \\
          --set train.max_epochs=20 data/fbank/train data/fbank/dev exp/conformer_ctc
Distributed: torchrun --nproc-per-node 2 -m asr.bin.train_e2e ... (same arguments).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

import torch

from asr.train.config import resolve_config
from asr.train.trainer import Trainer, TrainingError
from asr.utils.logging_setup import setup_logging
from asr.utils.yaml_config import load_config_yaml

__all__ = ["get_parser", "main"]

log = logging.getLogger(__name__)


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("train_dir", type=Path, help="training data dir (feats.scp, text, conf/feats.yaml)")
    parser.add_argument("dev_dir", type=Path, help="dev data dir for model selection")
    parser.add_argument("exp_dir", type=Path, help="output model dir (resumed from its last.pt if present)")
    parser.add_argument("--config", type=Path, required=True,
                        help="YAML: model config (conf/model/*.yaml) with optional train:, units:, cmvn: sections")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config value, e.g. train.max_epochs=20 (repeatable)")
    parser.add_argument("--device", choices=["cpu", "cuda"], default=None,
                        help="device; CUDA when available if not given")
    parser.add_argument("--num-threads", type=int, default=1,
                        help="torch CPU threads per process (more threads than free cores slows training a lot)")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    rank = int(os.environ.get("RANK", "0"))
    log_name = "train.log" if rank == 0 else f"train.rank{rank}.log"
    setup_logging(args.exp_dir / "log" / log_name)
    torch.set_num_threads(args.num_threads)
    log.info("command: %s", " ".join(sys.argv))
    log.info("arguments: %s", vars(args))
    try:
        if not args.config.is_file():
            raise ValueError(f"no such config file {args.config}")
        with open(args.config, encoding="utf-8") as f:
            raw = load_config_yaml(f) or {}
        config = resolve_config(raw, args.overrides)
        Trainer(config, args.train_dir, args.dev_dir, args.exp_dir, args.device).run()
    except (ValueError, TrainingError) as e:
        log.error("%s", e)
        sys.exit(1)


if __name__ == "__main__":
    main()
