"""Train a triphone GMM-HMM from alignments (Kaldi steps/train_deltas.sh): builds the
decision tree, initializes and trains the model; writes <exp-dir>/final.mdl (with the
tree), hmm.yaml (feature options of the alignment model), feats.yaml, the lang's
phones/words/topo, and the final alignments ali.{ark,scp} and pdf_ali.{ark,scp}.

e.g.: python -m asr.bin.train_tri --num-leaves 300 --totgauss 2000 data/mfcc/train \\
          data/lang exp/mono_ali exp/tri1
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import torch

from asr.bin.gmm_args import add_gmm_training_args, gmm_training_kwargs
from asr.hmm.align import read_alignments, write_exp_alignments
from asr.hmm.model_dir import load_model_dir, write_model_dir
from asr.hmm.train_mono import load_utterances
from asr.hmm.train_tri import TriConfig, train_tri
from asr.lang.lang import load_lang
from asr.utils.logging_setup import setup_logging

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("data_dir", type=Path, help="training data (feats.scp, cmvn.scp, text)")
    parser.add_argument("lang_dir", type=Path, help="lang dir made by prepare_lang")
    parser.add_argument("ali_dir", type=Path, help="alignments (ali.scp) and their model")
    parser.add_argument("exp_dir", type=Path, help="output model dir")
    d = TriConfig()
    parser.add_argument("--num-leaves", type=int, default=d.num_leaves, help="most tree leaves")
    parser.add_argument("--tree-thresh", type=float, default=d.tree_thresh,
                        help="least log-likelihood gain of a tree split")
    parser.add_argument("--tree-min-count", type=float, default=d.tree_min_count,
                        help="fewest frames in a tree leaf")
    add_gmm_training_args(parser, d)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging(args.exp_dir / "log" / "train.log")
    logging.info("train_tri %s", " ".join(sys.argv[1:] if argv is None else argv))
    start = time.time()
    torch.set_num_threads(args.num_threads)
    try:
        config = TriConfig(num_leaves=args.num_leaves, tree_thresh=args.tree_thresh,
                           tree_min_count=args.tree_min_count, **gmm_training_kwargs(args))
        old, options = load_model_dir(args.ali_dir)
        alis = read_alignments(args.ali_dir / "ali.scp")
        lang = load_lang(args.lang_dir)
        utts = load_utterances(args.data_dir, lang, options)
        model, alis = train_tri(lang, utts, old.trans, alis, config)
        feats_yaml = args.data_dir / "conf" / "feats.yaml"
        write_model_dir(args.exp_dir, model, options, args.lang_dir,
                        feats_yaml if feats_yaml.is_file() else None)
        write_exp_alignments(alis, model.trans.tid_pdf, args.exp_dir)
    except (OSError, ValueError) as e:
        logging.error("%s", e)
        print(f"train_tri: {e}", file=sys.stderr)
        sys.exit(1)
    logging.info("wrote %s/final.mdl (%d leaves, %d Gaussians) and alignments of %d "
                 "utterances in %.1f s", args.exp_dir, model.trans.num_pdfs,
                 model.gmms.num_comps, len(alis), time.time() - start)


if __name__ == "__main__":
    main()
