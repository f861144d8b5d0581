"""Build the CTC decoding graph of an end-to-end model dir and a lang dir with G.fst:
<graph-dir>/TLG.fst (input: unit id + 1, output: word ids), words.txt, units.txt and
graph.yaml. Words the model's units cannot spell (e.g. <UNK> for character units) are
left out of the graph and listed in the log. The model's label prior, estimated on
--prior-data (its training data), is divided out of the posteriors the graph scores, so
the grammar's word costs do not delete words; the graph is then tied to final.pt.

e.g.: python -m asr.bin.mkgraph_ctc --prior-data data/fbank/train data/lang_test \\
          exp/conformer exp/conformer/graph
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from pathlib import Path

import kaldifst
import yaml

from asr.data.datadir import load_data_dir
from asr.decode.e2e import checkpoint_sha256, ctc_label_prior, graph_units, load_e2e_model_dir, spell_words
from asr.graph.ctc_topo import add_label_prior, make_tlg, make_unit_lexicon_fst
from asr.lang.grammar import write_fst
from asr.lang.symbols import SymbolTable
from asr.units.units import SPACE
from asr.utils.fileio import atomic_write
from asr.utils.logging_setup import setup_logging

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("lang_dir", type=Path, help="lang dir with words.txt and G.fst")
    parser.add_argument("model_dir", type=Path, help="end-to-end model dir (config.yaml, units.txt)")
    parser.add_argument("graph_dir", type=Path, help="output graph dir")
    parser.add_argument("--max-states", type=int, default=2_000_000,
                        help="give up determinizing beyond this many states")
    parser.add_argument("--prior-data", type=Path, help="data dir for the label prior (the training data)")
    parser.add_argument("--prior-scale", type=float, default=0.5,
                        help="posterior / prior^scale; 0: raw posteriors (no --prior-data needed)")
    parser.add_argument("--prior-utts", type=int, default=1000, help="utterances of --prior-data to average")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging()
    try:
        if args.prior_scale < 0 or (args.prior_scale > 0 and args.prior_data is None):
            raise ValueError(f"--prior-scale {args.prior_scale}: need a scale >= 0, and --prior-data "
                             "(the model's training data) unless it is 0")
        model_dir = load_e2e_model_dir(args.model_dir)
        words = SymbolTable.read(args.lang_dir / "words.txt")
        grammar = kaldifst.StdVectorFst.read(str(args.lang_dir / "G.fst"))
        if grammar is None:
            raise ValueError(f"{args.lang_dir / 'G.fst'}: not a binary OpenFst file of standard arcs")
        units = model_dir.units
        spellings, unspellable = spell_words(words, units)
        if not spellings:
            raise ValueError(f"{args.lang_dir}/words.txt: the model's units spell none of its words")
        if unspellable:
            logging.warning("%d word(s) of %s/words.txt left out, not spellable with the units: %s",
                            len(unspellable), args.lang_dir, " ".join(unspellable[:20]))
        boundary = units.ids.get(SPACE) if units.unit_type == "char" else None
        lexicon, disambig = make_unit_lexicon_fst(
            spellings, len(units), boundary, words.id("#0") if "#0" in words else None)
        tlg = make_tlg(graph_units(units), lexicon, disambig, grammar, args.max_states)
        info = {"type": "ctc", "num_units": len(units), "num_words": len(spellings), "prior_scale": args.prior_scale}
        if args.prior_scale > 0:
            prior = ctc_label_prior(model_dir, load_data_dir(args.prior_data), args.prior_utts)
            add_label_prior(tlg, prior, args.prior_scale)
            logging.info("label prior from %s: blank %.3f", args.prior_data, prior[0])
            info.update(prior=[round(float(p), 8) for p in prior], prior_data=str(args.prior_data),
                        checkpoint_sha256=checkpoint_sha256(args.model_dir / "final.pt"))
        args.graph_dir.mkdir(parents=True, exist_ok=True)
        write_fst(tlg, args.graph_dir / "TLG.fst")
        shutil.copyfile(args.lang_dir / "words.txt", args.graph_dir / "words.txt")
        shutil.copyfile(args.model_dir / "units.txt", args.graph_dir / "units.txt")
        with atomic_write(args.graph_dir / "graph.yaml") as f:
            yaml.safe_dump(info, f, sort_keys=False, width=200)
    except (OSError, ValueError, yaml.YAMLError) as e:
        print(f"mkgraph_ctc: {e}", file=sys.stderr)
        sys.exit(1)
    logging.info("wrote %s (%d states, %d arcs, %d words)", args.graph_dir / "TLG.fst", tlg.num_states,
                 sum(tlg.num_arcs(s) for s in range(tlg.num_states)), len(spellings))


if __name__ == "__main__":
    main()
