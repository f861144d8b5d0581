"""Train a hybrid TDNN with frame-level cross-entropy on GMM alignments (Kaldi
steps/nnet3/train_dnn.py in spirit) and write a self-contained model dir: final.pt,
hmm.yaml (model_type: dnn), dnn.yaml (the resolved options and per-epoch statistics),
global_cmvn.mat, priors.txt, the GMM's final.mdl (transition model, for mkgraph),
feats.yaml and the lang's phones/words/topo; epoch-N.pt and best-valid.pt checkpoints.

e.g.: python -m asr.bin.train_dnn data/fbank/train data/fbank/dev data/lang exp/mono_ali \\
          exp/mono_ali_dev exp/dnn
"""

from __future__ import annotations

import argparse
import dataclasses
import filecmp
import logging
import sys
import time
from pathlib import Path

import torch
import yaml

from asr.dnn.frames import load_frame_data, pdf_priors
from asr.dnn.model_dir import write_dnn_model_dir
from asr.dnn.train import DnnConfig, train_dnn
from asr.hmm.feats import FeatureOptions
from asr.hmm.model import load_model
from asr.utils.cli import shell_bool
from asr.utils.fileio import atomic_write
from asr.utils.logging_setup import setup_logging

__all__ = ["get_parser", "main"]


def _layers(text: str) -> list[list[int]]:
    try:
        layers = [[int(v) for v in item.split(":")] for item in text.split()]
    except ValueError:
        layers = []
    if not layers or any(len(x) != 2 for x in layers):
        raise argparse.ArgumentTypeError(f"expected 'kernel:dilation ...', got {text!r}")
    return layers


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("train_dir", type=Path, help="training data (feats.scp, cmvn.scp)")
    parser.add_argument("dev_dir", type=Path, help="dev data for model selection (same features)")
    parser.add_argument("lang_dir", type=Path, help="lang dir of the GMM")
    parser.add_argument("ali_dir", type=Path, help="alignments of train_dir (final.mdl, pdf_ali.scp)")
    parser.add_argument("dev_ali_dir", type=Path, help="alignments of dev_dir (pdf_ali.scp)")
    parser.add_argument("exp_dir", type=Path, help="output model dir")
    d = DnnConfig()
    parser.add_argument("--hidden-dim", type=int, default=d.hidden_dim)
    parser.add_argument("--layers", type=_layers, default=" ".join(f"{k}:{s}" for k, s in d.layers),
                        help="kernel:dilation of each hidden layer")
    parser.add_argument("--dropout", type=float, default=d.dropout)
    parser.add_argument("--num-epochs", type=int, default=d.num_epochs)
    parser.add_argument("--batch-frames", type=int, default=d.batch_frames,
                        help="padded frames per batch")
    parser.add_argument("--lr", type=float, default=d.lr, help="peak learning rate")
    parser.add_argument("--weight-decay", type=float, default=d.weight_decay)
    parser.add_argument("--warmup-fraction", type=float, default=d.warmup_fraction)
    parser.add_argument("--final-lr-fraction", type=float, default=d.final_lr_fraction)
    parser.add_argument("--freq-masks", type=int, default=d.freq_masks)
    parser.add_argument("--freq-width", type=int, default=d.freq_width)
    parser.add_argument("--time-masks", type=int, default=d.time_masks)
    parser.add_argument("--time-width", type=int, default=d.time_width)
    parser.add_argument("--label-smoothing", type=float, default=d.label_smoothing)
    parser.add_argument("--average-last", type=int, default=d.average_last,
                        help="0: keep the best dev epoch; K: average the last K epochs")
    parser.add_argument("--prior-smoothing", type=float, default=d.prior_smoothing,
                        help="count added to every pdf for the priors")
    parser.add_argument("--seed", type=int, default=d.seed)
    parser.add_argument("--norm-vars", type=shell_bool, default=False,
                        help="per-speaker CMVN variance normalization")
    parser.add_argument("--num-threads", type=int, default=2, help="torch CPU threads")
    return parser


def _check_same_features(train_dir: Path, dev_dir: Path) -> Path | None:
    train_yaml, dev_yaml = train_dir / "conf" / "feats.yaml", dev_dir / "conf" / "feats.yaml"
    if train_yaml.is_file() and dev_yaml.is_file() and not filecmp.cmp(train_yaml, dev_yaml, False):
        raise ValueError(f"{train_yaml} and {dev_yaml} differ: train and dev need the same features")
    if not train_yaml.is_file():
        logging.warning("%s: no feature config; the model dir gets no feats.yaml and can decode "
                        "only data dirs that already have features", train_yaml)
        return None
    return train_yaml


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging(args.exp_dir / "log" / "train.log")
    logging.info("train_dnn %s", " ".join(sys.argv[1:] if argv is None else argv))
    torch.set_num_threads(args.num_threads)
    start = time.time()
    try:
        config = DnnConfig(**{f.name: getattr(args, f.name) for f in dataclasses.fields(DnnConfig)})
        feats_yaml = _check_same_features(args.train_dir, args.dev_dir)
        trans = load_model(args.ali_dir / "final.mdl").trans
        options = FeatureOptions(norm_vars=args.norm_vars, delta_order=0)
        train = load_frame_data(args.train_dir, args.ali_dir / "pdf_ali.scp", options, trans.num_pdfs)
        dev = load_frame_data(args.dev_dir, args.dev_ali_dir / "pdf_ali.scp", options, trans.num_pdfs)
        priors = pdf_priors(train.pdfs, trans.num_pdfs, config.prior_smoothing)
        net, net_config, stats, history = train_dnn(train, dev, trans.num_pdfs, config, args.exp_dir)
        write_dnn_model_dir(args.exp_dir, net, net_config, stats, priors, options, args.ali_dir,
                            args.lang_dir, feats_yaml)
        best = max(history, key=lambda r: r["dev_acc"])
        with atomic_write(args.exp_dir / "dnn.yaml") as f:
            yaml.safe_dump({"network": net_config, "training": dataclasses.asdict(config),
                            "norm_vars": args.norm_vars, "train_dir": str(args.train_dir),
                            "ali_dir": str(args.ali_dir), "best_epoch": best["epoch"],
                            "history": [{k: round(float(v), 5) for k, v in r.items()}
                                        for r in history]}, f, sort_keys=False)
    except (OSError, ValueError) as e:
        logging.error("%s", e)
        print(f"train_dnn: {e}", file=sys.stderr)
        sys.exit(1)
    logging.info("wrote %s/final.pt from epoch %d (dev frame accuracy %.4f); training took %.1f s",
                 args.exp_dir, best["epoch"], best["dev_acc"], time.time() - start)


if __name__ == "__main__":
    main()
