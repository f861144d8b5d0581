#!/usr/bin/env bash
# Train a monophone GMM-HMM from a flat start (Kaldi steps/train_mono.sh): equal
# alignment, then EM iterations with Viterbi realignment, Gaussian splitting up to
# --totgauss and transition re-estimation. Per-iteration log-likelihoods go to
# <exp-dir>/log/train.log; final alignments to <exp-dir>/ali.{ark,scp} and pdf_ali.{ark,scp}.

# Begin configuration section.
cmd=utils/run.pl
num_iters=40       # training iterations
max_iter_inc=30    # last iteration that adds Gaussians
totgauss=1000      # target number of Gaussians
power=0.25         # Gaussians per pdf ~ occupancy ** power
realign_iters="1 2 3 4 5 6 7 8 9 10 12 14 16 18 20 23 26 29 32 35 38"
beam=6
retry_beam=20
norm_vars=false    # CMVN variance normalization
boost_silence=1.0  # factor on silence likelihoods when aligning (below 1: less silence)
# End configuration section.

echo "$0 $@" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -ne 3 ]; then
  echo "Usage: $0 [options] <data-dir> <lang-dir> <exp-dir>"
  echo "<data-dir> needs feats.scp, cmvn.scp and text."
  echo "e.g.: $0 --totgauss 400 data/mfcc/train_yesno data/lang exp/mono"
  echo "Options:"
  echo "  --cmd <cmd>                # how to run the job (default: $cmd)"
  echo "  --num-iters <n>            # default: $num_iters"
  echo "  --totgauss <n>             # default: $totgauss"
  echo "  --realign-iters <list>     # default: \"$realign_iters\""
  echo "  --norm-vars (true|false)   # default: $norm_vars"
  echo "  --boost-silence <f>        # default: $boost_silence"
  exit 1
fi >&2

data=$1
lang=$2
dir=$3

for f in $data/feats.scp $data/cmvn.scp $data/text $lang/L.fst $lang/topo $lang/phones/sets.int; do
  [ ! -f $f ] && echo "$0: no such file $f" >&2 && exit 1
done

mkdir -p $dir/log || exit 1
rm -f $dir/log/train.log

$cmd $dir/log/train_mono.log \
  python -m asr.bin.train_mono --num-iters $num_iters --max-iter-inc $max_iter_inc \
    --totgauss $totgauss --power $power --realign-iters "$realign_iters" \
    --beam $beam --retry-beam $retry_beam --boost-silence $boost_silence --norm-vars $norm_vars $data $lang $dir \
  || { echo "$0: training failed, see $dir/log/train_mono.log" >&2; exit 1; }

grep "iteration" $dir/log/train.log | tail -n 1 >&2
echo "$0: trained $dir/final.mdl" >&2
