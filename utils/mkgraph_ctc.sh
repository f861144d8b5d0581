#!/usr/bin/env bash
# Build the CTC decoding graph TLG.fst of an end-to-end model dir and a lang dir with
# G.fst (the CTC token topology over the model's units, composed with a lexicon that
# spells each word in units, and G): <graph-dir>/TLG.fst, words.txt, units.txt, graph.yaml.
# Decode with steps/decode.sh --decoding-method wfst --graph-dir <graph-dir>.

# Begin configuration section.
max_states=2000000   # give up determinizing beyond this many states
# End configuration section.

echo "$0 $@" >&2

. utils/parse_options.sh || exit 1

if [ $# -ne 3 ]; then
  echo "Usage: $0 [options] <lang-dir> <e2e-model-dir> <graph-dir>"
  echo "e.g.: $0 data/lang_test exp/conformer exp/conformer/graph"
  echo "Options:"
  echo "  --max-states <n>         # default: $max_states"
  exit 1
fi >&2

lang=$1
model=$2
dir=$3

for f in $lang/G.fst $lang/words.txt $model/config.yaml $model/units.txt $model/final.pt; do
  [ ! -f $f ] && echo "$0: no such file $f" >&2 && exit 1
done

mkdir -p $dir || exit 1
python -m asr.bin.mkgraph_ctc --max-states $max_states $lang $model $dir \
  || { echo "$0: failed to build $dir/TLG.fst" >&2; exit 1; }
