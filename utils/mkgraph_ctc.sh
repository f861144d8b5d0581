#!/usr/bin/env bash
# Build the CTC decoding graph TLG.fst of an end-to-end model dir and a lang dir with
# G.fst (the CTC token topology over the model's units, composed with a lexicon that
# spells each word in units, and G): <graph-dir>/TLG.fst, words.txt, units.txt, graph.yaml.
# The graph divides the model's label prior (its mean CTC posterior on --prior-data, the
# training data) out of the posteriors, so G's word costs do not delete words.
# Decode with steps/decode.sh --decoding-method wfst --graph-dir <graph-dir>.

# Begin configuration section.
max_states=2000000   # give up determinizing beyond this many states
prior_data=          # data dir for the label prior (the model's training data); required unless prior_scale=0
prior_scale=0.5      # score posterior / prior^scale; 0: raw posteriors
prior_utts=1000      # utterances of prior_data to average
# End configuration section.

echo "$0 $@" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -ne 3 ]; then
  echo "Usage: $0 [options] <lang-dir> <e2e-model-dir> <graph-dir>"
  echo "e.g.: $0 --prior-data data/fbank/train data/lang_test exp/conformer exp/conformer/graph"
  echo "Options:"
  echo "  --max-states <n>         # default: $max_states"
  echo "  --prior-data <dir>       # training data for the label prior (needed unless --prior-scale 0)"
  echo "  --prior-scale <s>        # default: $prior_scale"
  echo "  --prior-utts <n>         # default: $prior_utts"
  exit 1
fi >&2

lang=$1
model=$2
dir=$3

for f in $lang/G.fst $lang/words.txt $model/config.yaml $model/units.txt $model/final.pt \
         ${prior_data:+$prior_data/utt2spk}; do
  [ ! -f $f ] && echo "$0: no such file $f" >&2 && exit 1
done

mkdir -p $dir || exit 1
python -m asr.bin.mkgraph_ctc --max-states $max_states ${prior_data:+--prior-data $prior_data} \
  --prior-scale $prior_scale --prior-utts $prior_utts $lang $model $dir \
  || { echo "$0: failed to build $dir/TLG.fst" >&2; exit 1; }
