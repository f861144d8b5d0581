"""Build a decoding graph dir (Kaldi utils/mkgraph.sh): <graph-dir>/HCLG.fst (input
transition ids of the model, output word ids), words.txt, phones.txt, phones/ and
graph.yaml (the transition scales used).

e.g.: python -m asr.bin.mkgraph data/lang_test exp/mono exp/mono/graph
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from pathlib import Path

import yaml

from asr.graph.compile import make_hclg
from asr.hmm.model import load_model
from asr.lang.grammar import write_fst
from asr.lang.lang import load_lang
from asr.utils.fileio import atomic_write
from asr.utils.logging_setup import setup_logging

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("lang_dir", type=Path, help="lang dir with G.fst")
    parser.add_argument("model_dir", type=Path, help="model dir with final.mdl")
    parser.add_argument("graph_dir", type=Path, help="output graph dir")
    parser.add_argument("--transition-scale", type=float, default=1.0)
    parser.add_argument("--self-loop-scale", type=float, default=0.1)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging()
    try:
        lang = load_lang(args.lang_dir)
        model = load_model(args.model_dir / "final.mdl")
        hclg = make_hclg(lang, model.trans, args.transition_scale, args.self_loop_scale)
        args.graph_dir.mkdir(parents=True, exist_ok=True)
        write_fst(hclg, args.graph_dir / "HCLG.fst")
        for name in ("words.txt", "phones.txt"):
            shutil.copyfile(args.lang_dir / name, args.graph_dir / name)
        shutil.copytree(args.lang_dir / "phones", args.graph_dir / "phones", dirs_exist_ok=True)
        with atomic_write(args.graph_dir / "graph.yaml") as f:
            yaml.safe_dump({"transition_scale": args.transition_scale,
                            "self_loop_scale": args.self_loop_scale,
                            "num_tids": model.trans.num_tids}, f, sort_keys=False)
    except (OSError, ValueError) as e:
        print(f"mkgraph: {e}", file=sys.stderr)
        sys.exit(1)
    logging.info("wrote %s (%d states, %d arcs)", args.graph_dir / "HCLG.fst", hclg.num_states,
                 sum(hclg.num_arcs(s) for s in range(hclg.num_states)))


if __name__ == "__main__":
    main()
