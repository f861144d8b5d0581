#!/usr/bin/env bash
# Write <exp-dir>/RESULTS.md: one Markdown WER table per test set, from every
# <exp-dir>/**/decode_<set>[.<tag>]/wer file, rows sorted by WER. The output holds no time
# stamps, so rerunning on unchanged results leaves the file byte-identical.

echo "$0 $@" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -gt 1 ]; then
  echo "Usage: $0 [<exp-dir>]   (default: exp)"
  echo "e.g.: $0 exp"
  exit 1
fi >&2

exp=${1:-exp}

[ ! -d $exp ] && echo "$0: no such directory $exp" >&2 && exit 1

python -m asr.bin.make_results --command "utils/make_results.sh $exp" $exp \
  || { echo "$0: failed to write $exp/RESULTS.md" >&2; exit 1; }
