#!/usr/bin/env bash
# Forced alignment of a data dir with a GMM-HMM model dir (Kaldi steps/align_si.sh):
# <ali-dir>/ali.{ark,scp} (transition ids per frame) and pdf_ali.{ark,scp}, plus a copy
# of the model. Utterances that fail to align are named and counted in the log; more
# than --max-failed-fraction of them is an error.

# Begin configuration section.
cmd=utils/run.pl
beam=10
retry_beam=40
max_failed_fraction=0.1
# End configuration section.

echo "$0 $@" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -ne 4 ]; then
  echo "Usage: $0 [options] <data-dir> <lang-dir> <model-dir> <ali-dir>"
  echo "e.g.: $0 data/mfcc/train_yesno data/lang exp/mono exp/mono_ali"
  echo "Options:"
  echo "  --cmd <cmd>                    # how to run the job (default: $cmd)"
  echo "  --beam <b>                     # default: $beam"
  echo "  --retry-beam <b>               # default: $retry_beam"
  echo "  --max-failed-fraction <f>      # default: $max_failed_fraction"
  exit 1
fi >&2

data=$1
lang=$2
srcdir=$3
dir=$4

for f in $data/feats.scp $data/cmvn.scp $data/text $lang/L.fst $srcdir/final.mdl $srcdir/hmm.yaml; do
  [ ! -f $f ] && echo "$0: no such file $f" >&2 && exit 1
done

mkdir -p $dir/log || exit 1

$cmd $dir/log/align_run.log \
  python -m asr.bin.align --beam $beam --retry-beam $retry_beam \
    --max-failed-fraction $max_failed_fraction $data $lang $srcdir $dir \
  || { echo "$0: alignment failed, see $dir/log/align_run.log:" >&2;
       grep -h "align: " $dir/log/align_run.log >&2; exit 1; }

grep "aligned" $dir/log/align.log | tail -n 1 >&2
