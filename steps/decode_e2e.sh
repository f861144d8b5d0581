#!/usr/bin/env bash
# Decode a data dir with an end-to-end model dir (config.yaml, units.txt, final.pt), or an
# ensemble dir of them (utils/make_ensemble_dir.sh; ctc_prefix_beam only):
# <decode-dir>/hyp (Kaldi text), <decode-dir>/attention_<utt>.png (attention map of the
# first utterance), and <decode-dir>/wer and wer_details/ when the data dir has text.
# Features come from the data dir when they match the model's, else from its audio.
# steps/decode.sh calls this for end-to-end model dirs.

# Begin configuration section.
nj=4
cmd=utils/run.pl
decoding_method=ctc_prefix_beam   # ctc_greedy|ctc_prefix_beam|attention_rescoring|wfst
beam_size=10        # prefix beam width, n-best size for attention_rescoring
ctc_weight=0.5      # CTC share of the attention_rescoring score
batch_size=16       # utterances per forward pass
graph_dir=          # wfst: graph of utils/mkgraph_ctc.sh (default: <model-dir>/graph)
beam=13.0           # wfst search beam
acwt=1.0            # wfst scale of the CTC log-probabilities
# End configuration section.

echo "$0 $@" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -ne 3 ]; then
  echo "Usage: $0 [options] <model-dir> <data-dir> <decode-dir>"
  echo "e.g.: $0 --decoding-method attention_rescoring exp/conformer data/fbank/test exp/conformer/decode_test"
  echo "Options:"
  echo "  --nj <nj>                    # parallel jobs, one thread each (default: $nj)"
  echo "  --cmd <cmd>                  # how to run jobs (default: $cmd)"
  echo "  --decoding-method <m>        # ctc_greedy|ctc_prefix_beam|attention_rescoring|wfst (default: $decoding_method)"
  echo "  --beam-size <n>              # default: $beam_size"
  echo "  --ctc-weight <w>             # default: $ctc_weight"
  echo "  --batch-size <n>             # default: $batch_size"
  echo "  --graph-dir <dir>            # wfst graph (default: <model-dir>/graph)"
  echo "  --beam <b>                   # wfst search beam (default: $beam)"
  echo "  --acwt <s>                   # wfst acoustic scale (default: $acwt)"
  exit 1
fi >&2

model=$1
data=$2
dir=$3
graph=${graph_dir:-$model/graph}

required="$model/config.yaml $model/units.txt $model/final.pt $data/utt2spk"
[ -f $model/members ] && required="$model/members $data/utt2spk"  # utils/make_ensemble_dir.sh
[ "$decoding_method" = wfst ] && required="$required $graph/TLG.fst $graph/words.txt"
for f in $required; do
  [ ! -f $f ] && echo "$0: no such file $f" >&2 && exit 1
done

mkdir -p $dir/log || exit 1
rm -f $dir/hyp $dir/wer $dir/attention_*.png

num_utts=$(wc -l < $data/utt2spk)
[ $nj -gt $num_utts ] && nj=$num_utts

$cmd JOB=1:$nj $dir/log/decode.JOB.log \
  python -m asr.bin.decode_e2e --job JOB --num-jobs $nj --decoding-method $decoding_method \
    --beam-size $beam_size --ctc-weight $ctc_weight --batch-size $batch_size \
    --graph-dir $graph --search-beam $beam --acwt $acwt --num-threads 1 \
    --attention-plot-dir $dir $model $data $dir/hyp.JOB \
  || { echo "$0: decoding failed; see $dir/log/decode.*.log" >&2; exit 1; }

for n in $(seq $nj); do cat $dir/hyp.$n; done | LC_ALL=C sort > $dir/hyp.tmp && mv $dir/hyp.tmp $dir/hyp \
  && rm -f $dir/hyp.[0-9]* || exit 1
grep -h "real-time factor" $dir/log/decode.*.log | sed 's/.*decoded/decoded/' >&2

if [ -f $data/text ]; then
  steps/score.sh --cmd "$cmd" $data $dir || exit 1
fi
