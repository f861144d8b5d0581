#!/usr/bin/env bash
# Train a Witten-Bell word n-gram LM on a data dir's transcripts: writes <lm-dir>/lm.arpa.
# Every transcript word must be in <lang-dir>/words.txt (an unknown word is an error).

# Begin configuration section.
order=2      # n-gram order
# End configuration section.

echo "$0 $@" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -ne 3 ]; then
  echo "Usage: $0 [options] <text> <lang-dir> <lm-dir>"
  echo "e.g.: $0 --order 2 data/train/text data/lang data/local/lm"
  echo "Options:"
  echo "  --order <n>     # n-gram order (default: $order)"
  exit 1
fi >&2

text=$1
lang=$2
dir=$3

for f in $text $lang/words.txt; do
  [ ! -f $f ] && echo "$0: no such file $f" >&2 && exit 1
done

mkdir -p $dir
python -m asr.bin.train_lm --order $order $text $lang/words.txt $dir/lm.arpa \
  || { echo "$0: failed to train an LM on $text" >&2; exit 1; }
