#!/usr/bin/env bash
# Repair a data dir in place (Kaldi's utils/fix_data_dir.sh): sort every file, drop blank
# lines, CRLF endings and repeated identical lines, keep only the utterances present in
# every file (and whose speaker and recording entries exist), regenerate spk2utt. The
# original files are kept in <data-dir>/.backup/. What it cannot decide (a key with two
# different values, a malformed line) is an error and nothing is changed.

echo "$0 $*" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -ne 1 ]; then
  echo "Usage: $0 <data-dir>"
  echo "e.g.: $0 data/train"
  exit 1
fi >&2

data=$1
for f in utt2spk; do
  if [ ! -f "$data/$f" ]; then
    echo "$0: no such file $data/$f" >&2
    exit 1
  fi
done

exec python -m asr.bin.fix_data_dir "$data"
