#!/usr/bin/env bash
# Copy a lang dir and add a word-loop G.fst: any sequence of the lexicon's words (all but
# silence-only words and the OOV word), each word and the sentence end equally likely.

echo "$0 $@" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -ne 2 ]; then
  echo "Usage: $0 <lang-dir> <out-lang-dir>"
  echo "e.g.: $0 data/lang data/lang_test_loop"
  exit 1
fi >&2

lang=$1
out=$2

for f in $lang/words.txt $lang/L_disambig.fst $lang/phones/align_lexicon.int; do
  [ ! -f $f ] && echo "$0: no such file $f" >&2 && exit 1
done

python -m asr.bin.make_grammar --word-loop $lang $out \
  || { echo "$0: failed to make $out/G.fst" >&2; exit 1; }
