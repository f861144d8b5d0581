"""Train a monophone GMM-HMM from a flat start (Kaldi steps/train_mono.sh): writes
<exp-dir>/final.mdl, hmm.yaml, feats.yaml, the lang's phones/words/topo, and the final
alignments ali.{ark,scp} (transition ids) and pdf_ali.{ark,scp} (pdf ids).

e.g.: python -m asr.bin.train_mono --totgauss 400 data/mfcc/train data/lang exp/mono
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import torch

from asr.bin.gmm_args import add_gmm_training_args, gmm_training_kwargs
from asr.hmm.align import write_exp_alignments
from asr.hmm.feats import FeatureOptions
from asr.hmm.model_dir import write_model_dir
from asr.hmm.train_mono import MonoConfig, load_utterances, train_mono
from asr.lang.lang import load_lang
from asr.utils.cli import shell_bool
from asr.utils.logging_setup import setup_logging

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("data_dir", type=Path, help="training data (feats.scp, cmvn.scp, text)")
    parser.add_argument("lang_dir", type=Path, help="lang dir made by prepare_lang")
    parser.add_argument("exp_dir", type=Path, help="output model dir")
    d = MonoConfig()
    add_gmm_training_args(parser, d)
    parser.add_argument("--boost-silence", type=float, default=d.boost_silence,
                        help="factor on silence likelihoods when aligning")
    parser.add_argument("--norm-vars", type=shell_bool, default=False, help="CMVN variance normalization")
    parser.add_argument("--delta-order", type=int, default=2)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging(args.exp_dir / "log" / "train.log")
    torch.set_num_threads(args.num_threads)
    logging.info("train_mono %s", " ".join(sys.argv[1:] if argv is None else argv))
    start = time.time()
    try:
        config = MonoConfig(boost_silence=args.boost_silence, **gmm_training_kwargs(args))
        options = FeatureOptions(norm_vars=args.norm_vars, delta_order=args.delta_order)
        lang = load_lang(args.lang_dir)
        utts = load_utterances(args.data_dir, lang, options)
        model, alis = train_mono(lang, utts, config)
        feats_yaml = args.data_dir / "conf" / "feats.yaml"
        write_model_dir(args.exp_dir, model, options, args.lang_dir,
                        feats_yaml if feats_yaml.is_file() else None)
        write_exp_alignments(alis, model.trans.tid_pdf, args.exp_dir)
    except (OSError, ValueError) as e:
        logging.error("%s", e)
        print(f"train_mono: {e}", file=sys.stderr)
        sys.exit(1)
    logging.info("wrote %s/final.mdl (%d Gaussians) and alignments of %d utterances in %.1f s",
                 args.exp_dir, model.gmms.num_comps, len(alis), time.time() - start)


if __name__ == "__main__":
    main()
