#!/usr/bin/env bash
# Build the decoding graph HCLG.fst of a GMM-HMM model dir and a lang dir with G.fst
# (Kaldi utils/mkgraph.sh): <graph-dir>/HCLG.fst, words.txt, phones.txt, phones/,
# graph.yaml. A triphone model (steps/train_deltas.sh) gets the context transducer C
# between H and LG; a monophone model does not need it.

# Begin configuration section.
transition_scale=1.0
self_loop_scale=0.1
# End configuration section.

echo "$0 $@" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -ne 3 ]; then
  echo "Usage: $0 [options] <lang-dir> <model-dir> <graph-dir>"
  echo "e.g.: $0 data/lang_test exp/mono exp/mono/graph"
  echo "Options:"
  echo "  --transition-scale <s>   # default: $transition_scale"
  echo "  --self-loop-scale <s>    # default: $self_loop_scale"
  exit 1
fi >&2

lang=$1
model=$2
dir=$3

for f in $lang/G.fst $lang/L_disambig.fst $lang/words.txt $model/final.mdl; do
  [ ! -f $f ] && echo "$0: no such file $f" >&2 && exit 1
done

mkdir -p $dir || exit 1
python -m asr.bin.mkgraph --transition-scale $transition_scale \
  --self-loop-scale $self_loop_scale $lang $model $dir \
  || { echo "$0: failed to build $dir/HCLG.fst" >&2; exit 1; }
