"""Word and phone time marks (CTM) from an alignment dir or a decode dir (Kaldi
steps/get_train_ctm.sh and steps/get_ctm.sh): reads <dir>/ali.scp (transition ids per
frame) and the words of each utterance (the data dir's text for an alignment dir; <dir>/hyp
for a decode dir, whose model is <dir>/..), writes <dir>/ctm (words) and <dir>/phone.ctm
(phones, silence included), and optionally <dir>/alignment_<utt>.png for the first utterance.
With a segments file, times are relative to the recording, keyed by recording id.

e.g.: python -m asr.bin.get_ctm data/mfcc/train_yesno data/lang exp/mono_ali
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from asr.data.audio import AudioReader
from asr.data.datadir import load_data_dir
from asr.features.config import load_feature_config
from asr.hmm.align import read_alignments
from asr.hmm.ctm import TimeMark, align_words, ctm_lines, split_to_phones
from asr.hmm.model import load_model
from asr.lang.lang import load_lang
from asr.utils.cli import shell_bool
from asr.utils.fileio import atomic_write, read_table
from asr.utils.logging_setup import setup_logging

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("data_dir", type=Path, help="the data dir that was aligned or decoded")
    parser.add_argument("lang_dir", type=Path, help="lang dir (phones/align_lexicon.int)")
    parser.add_argument("dir", type=Path, help="alignment dir, or decode dir (with hyp)")
    parser.add_argument("--frame-shift", type=float, default=None,
                        help="seconds per frame (default: from the model dir's feats.yaml, "
                        "else 0.01)")
    parser.add_argument("--use-segments", type=shell_bool, default=True,
                        help="key lines by recording, with times from the segments file")
    parser.add_argument("--plot", type=shell_bool, default=False,
                        help="write alignment_<utt>.png for the first utterance")
    return parser


def _words(args: argparse.Namespace, data) -> tuple[dict[str, list[str]], Path, bool]:
    """Words per utterance, the model dir, and whether every one must have an alignment."""
    if (args.dir / "hyp").is_file():
        hyp = read_table(args.dir / "hyp", min_fields=1)
        return {u: r.split() for u, r in hyp.items()}, args.dir.parent, True
    if data.text is None:
        raise ValueError(f"{args.data_dir}: no text (needed for the CTM of an alignment dir)")
    return {u: r.split() for u, r in data.text.items()}, args.dir, False


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging()
    missing = 0
    try:
        data = load_data_dir(args.data_dir)
        lang = load_lang(args.lang_dir)
        words, model_dir, strict = _words(args, data)
        model = load_model(model_dir / "final.mdl")
        feats_yaml = model_dir / "feats.yaml"
        feat_config = load_feature_config(feats_yaml) if feats_yaml.is_file() else None
        shift = args.frame_shift or (feat_config.frame_shift / 1000 if feat_config else 0.01)
        if not (args.dir / "ali.scp").is_file():
            raise ValueError(f"{args.dir}: no ali.scp (an alignment dir from steps/align.sh, "
                             "or a decode dir decoded with alignments written)")
        alis = read_alignments(args.dir / "ali.scp")
        segments = data.segments if args.use_segments else None
        word_lines, phone_lines, first = [], [], None
        for utt in sorted(words, key=lambda u: u.encode("utf-8")):
            if utt not in alis:
                if strict:
                    raise ValueError(f"{args.dir}/ali.scp: no alignment for utterance {utt}")
                missing += 1
                logging.warning("utterance %s has no alignment (failed to align); not in "
                                "the CTM", utt)
                continue
            where = f"utterance {utt}"
            try:
                phones = split_to_phones(model.trans, alis[utt])
                marks = align_words(lang, lang.word_ids(words[utt], where), phones)
            except ValueError as e:
                raise ValueError(f"{args.dir}/ali.scp: {where}: {e}") from None
            key, offset = utt, 0.0
            if segments is not None:
                key, offset = segments[utt].recording, segments[utt].start
            word_lines += ctm_lines(key, marks, lang.words.symbols(m.label for m in marks),
                                    shift, offset)
            phone_lines += ctm_lines(key, phones, lang.phones.symbols(p.label for p in phones),
                                     shift, offset)
            if first is None:
                first = (utt, phones, marks)
        for path, lines in ((args.dir / "ctm", word_lines), (args.dir / "phone.ctm", phone_lines)):
            with atomic_write(path) as f:
                f.write("".join(line + "\n" for line in lines))
        if args.plot and first is not None:
            _plot(args, data, lang, feat_config, shift, *first)
    except (OSError, ValueError) as e:
        print(f"get_ctm: {e}", file=sys.stderr)
        sys.exit(1)
    logging.info("wrote %s and %s: %d words, %d phones%s", args.dir / "ctm",
                 args.dir / "phone.ctm", len(word_lines), len(phone_lines),
                 f"; {missing} utterances without alignment left out" if missing else "")


def _plot(args, data, lang, feat_config, shift, utt: str, phones: list[TimeMark],
          words: list[TimeMark]) -> None:
    from asr.hmm.plot_alignment import log_mel_spectrogram, plot_alignment

    if feat_config is None:
        raise ValueError(f"{args.dir}: the model dir has no feats.yaml, needed to plot")
    audio = AudioReader(data, feat_config.sample_rate).read(utt)
    out = args.dir / f"alignment_{utt}.png"
    plot_alignment(log_mel_spectrogram(audio, feat_config),
                   [(lang.phones.symbol(p.label), p.start, p.length) for p in phones], out,
                   shift, title=f"{utt}: {' '.join(lang.words.symbol(w.label) for w in words)}",
                   words=[(lang.words.symbol(w.label), w.start, w.length) for w in words])
    logging.info("wrote %s", out)


if __name__ == "__main__":
    main()
