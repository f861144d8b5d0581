#!/usr/bin/env bash
# Kaldi's utils/utt2spk_to_spk2utt.pl (in awk): read utt2spk lines ("utt spk") from the
# files given, or stdin, and print spk2utt lines ("spk utt1 utt2 ...") with speakers in
# order of first appearance and utterances in input order. A line without exactly two
# fields is an error.
# e.g.: utils/utt2spk_to_spk2utt.pl data/train/utt2spk > data/train/spk2utt
exec awk -v prog="$(basename "$0")" '
  NF != 2 {
    printf("%s: invalid line %d in %s (expected \"utt spk\"): %s\n", prog, FNR,
           FILENAME == "" ? "-" : FILENAME, $0) > "/dev/stderr";
    bad = 1; exit 1
  }
  {
    if (!($2 in utts)) { order[n++] = $2; utts[$2] = $1 }
    else utts[$2] = utts[$2] " " $1
  }
  END {
    if (bad) exit 1
    for (i = 0; i < n; i++) print order[i], utts[order[i]]
  }' "$@"
