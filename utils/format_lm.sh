#!/usr/bin/env bash
# Copy a lang dir and add G.fst converted from an ARPA LM (#0 on back-off arcs), as
# Kaldi's utils/format_lm.sh. An LM word missing from words.txt is an error.

echo "$0 $@" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -ne 3 ]; then
  echo "Usage: $0 <lang-dir> <arpa> <out-lang-dir>"
  echo "e.g.: $0 data/lang data/local/lm/lm.arpa data/lang_test"
  exit 1
fi >&2

lang=$1
arpa=$2
out=$3

for f in $lang/words.txt $lang/L_disambig.fst $arpa; do
  [ ! -f $f ] && echo "$0: no such file $f" >&2 && exit 1
done

python -m asr.bin.make_grammar --arpa $arpa $lang $out \
  || { echo "$0: failed to make $out/G.fst from $arpa" >&2; exit 1; }
