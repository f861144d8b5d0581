#!/usr/bin/env bash
# Kaldi's utils/spk2utt_to_utt2spk.pl (in awk): read spk2utt lines ("spk utt1 utt2 ...")
# from the files given, or stdin, and print one "utt spk" line per utterance, in input
# order. A line with no utterance is an error.
# e.g.: utils/spk2utt_to_utt2spk.pl data/train/spk2utt > data/train/utt2spk
exec awk -v prog="$(basename "$0")" '
  NF < 2 {
    printf("%s: invalid line %d in %s (expected \"spk utt ...\"): %s\n", prog, FNR,
           FILENAME == "" ? "-" : FILENAME, $0) > "/dev/stderr";
    exit 1
  }
  { for (i = 2; i <= NF; i++) print $i, $1 }' "$@"
