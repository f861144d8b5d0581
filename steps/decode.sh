#!/usr/bin/env bash
# Decode a data dir with a hybrid model dir and its graph (Kaldi steps/decode.sh):
# <decode-dir>/hyp (Kaldi text), word lattices lat.N.gz (Kaldi CompactLattice text archives,
# one per job, count in num_jobs), and <decode-dir>/wer and wer_details/ when the data dir
# has text. A data dir without feats.scp gets features computed with the model's own
# feature config (into <decode-dir>/data).

# Begin configuration section.
nj=4
cmd=utils/run.pl
graph_dir=          # default: <model-dir>/graph
beam=13.0
lattice_beam=6.0
acwt=0.1            # acoustic scale (hybrid models)
prior_scale=1.0     # DNN models: log posterior minus prior_scale x log state prior
word_ins_penalty=0.0  # hybrid models: cost per hypothesized word (tune on dev: steps/score_lmwt.sh)
write_ali=true      # hybrid models: best paths' transition ids in ali.scp (steps/get_ctm.sh)
write_lattices=true # hybrid models: word lattices lat.JOB.gz (ark:gunzip -c lat.1.gz|)
# end-to-end model dirs (config.yaml + final.pt) and ensemble dirs of them (members) go to
# steps/decode_e2e.sh with these:
decoding_method=ctc_prefix_beam   # ctc_greedy|ctc_prefix_beam|attention_rescoring|wfst
beam_size=10        # prefix beam width / n-best size
ctc_weight=0.5      # CTC share of the attention_rescoring score
batch_size=16       # utterances per forward pass
# End configuration section.

echo "$0 $@" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -ne 3 ]; then
  echo "Usage: $0 [options] <model-dir> <data-dir> <decode-dir>"
  echo "e.g.: $0 --nj 2 exp/mono data/mfcc/test_yesno exp/mono/decode_test_yesno"
  echo "Options:"
  echo "  --nj <nj>                # parallel jobs (default: $nj)"
  echo "  --cmd <cmd>              # how to run jobs (default: $cmd)"
  echo "  --graph-dir <dir>        # default: <model-dir>/graph"
  echo "  --beam <b>               # default: $beam"
  echo "  --lattice-beam <b>       # default: $lattice_beam"
  echo "  --acwt <s>               # acoustic scale, hybrid models (default: $acwt)"
  echo "  --prior-scale <s>        # weight of the log state prior, DNN models (default: $prior_scale)"
  echo "  --word-ins-penalty <p>   # cost per hypothesized word, hybrid models (default: $word_ins_penalty)"
  echo "  --write-ali (true|false) # best-path alignments, hybrid models (default: $write_ali)"
  echo "  --write-lattices (true|false) # word lattices lat.JOB.gz, hybrid models (default: $write_lattices)"
  echo "  end-to-end model dirs (see steps/decode_e2e.sh; --beam is the wfst search beam):"
  echo "  --decoding-method <m>    # ctc_greedy|ctc_prefix_beam|attention_rescoring|wfst (default: $decoding_method)"
  echo "  --beam-size <n>          # default: $beam_size"
  echo "  --ctc-weight <w>         # default: $ctc_weight"
  echo "  --batch-size <n>         # default: $batch_size"
  exit 1
fi >&2

if { [ -f $1/config.yaml ] && [ ! -f $1/final.mdl ]; } || [ -f $1/members ]; then   # end-to-end model or ensemble dir
  exec steps/decode_e2e.sh --nj $nj --cmd "$cmd" --graph-dir "$graph_dir" --beam $beam \
    --decoding-method $decoding_method --beam-size $beam_size --ctc-weight $ctc_weight \
    --batch-size $batch_size "$@"
fi

model=$1
data=$2
dir=$3
graph=${graph_dir:-$model/graph}

for f in $model/final.mdl $model/hmm.yaml $graph/HCLG.fst $graph/words.txt $data/utt2spk; do
  [ ! -f $f ] && echo "$0: no such file $f" >&2 && exit 1
done

mkdir -p $dir/log || exit 1
rm -f $dir/hyp $dir/wer $dir/ali.scp $dir/ali.[0-9]*.{ark,scp} $dir/lat.[0-9]*.gz $dir/num_jobs

if [ ! -f $data/feats.scp ]; then
  [ ! -f $model/feats.yaml ] && echo "$0: $data has no feats.scp and $model no feats.yaml" >&2 && exit 1
  feat_type=$(awk '$1 == "feature_type:" {print $2}' $model/feats.yaml)
  utils/copy_data_dir.sh $data $dir/data || exit 1
  steps/make_${feat_type}.sh --nj 1 --cmd "$cmd" --${feat_type}-config $model/feats.yaml \
    $dir/data $dir/log $dir/data/data || exit 1
  steps/compute_cmvn_stats.sh $dir/data $dir/log $dir/data/data || exit 1
  feats_data=$dir/data
else
  feats_data=$data
fi
[ ! -f $feats_data/cmvn.scp ] && echo "$0: no such file $feats_data/cmvn.scp" >&2 && exit 1

num_utts=$(wc -l < $data/utt2spk)
[ $nj -gt $num_utts ] && nj=$num_utts
echo $nj > $dir/num_jobs

$cmd JOB=1:$nj $dir/log/decode.JOB.log \
  python -m asr.bin.decode --job JOB --num-jobs $nj --beam $beam --lattice-beam $lattice_beam \
    --acwt $acwt --prior-scale $prior_scale --word-ins-penalty $word_ins_penalty $($write_ali && echo --ali-out $dir/ali.JOB) \
    $($write_lattices && echo --lat-out $dir/lat.JOB.gz) $graph $model $feats_data $dir/hyp.JOB \
  || { echo "$0: decoding failed; see $dir/log/decode.*.log" >&2; exit 1; }

for n in $(seq $nj); do cat $dir/hyp.$n; done | LC_ALL=C sort > $dir/hyp.tmp && mv $dir/hyp.tmp $dir/hyp \
  && rm -f $dir/hyp.[0-9]* || exit 1
if $write_ali; then
  cat $dir/ali.[0-9]*.scp | LC_ALL=C sort > $dir/ali.scp && rm -f $dir/ali.[0-9]*.scp || exit 1
fi
grep -h "real-time factor" $dir/log/decode.*.log | sed 's/.*decoded/decoded/' >&2

if [ -f $data/text ]; then
  steps/score.sh --cmd "$cmd" $data $dir || exit 1
fi
