#!/usr/bin/env bash
# Train a hybrid TDNN with frame-level cross-entropy on GMM alignments (Kaldi
# steps/nnet3/train_dnn.py in spirit): SpecAugment-style masking, AdamW, dev-set frame
# accuracy picks the epoch (or --average-last K averages the last K), state priors from the training alignments. <exp-dir> becomes
# a self-contained model dir that utils/mkgraph.sh and steps/decode.sh accept (it holds
# a copy of the GMM's final.mdl for the transition model).
# <train-data> and <dev-data> hold the network's features (e.g. fbank) for the same
# utterances and frames as the data the GMM aligned (e.g. MFCC).

# Begin configuration section.
cmd=utils/run.pl
hidden_dim=256
layers="5:1 3:1 3:1 3:3 3:3 3:3"   # kernel:dilation per hidden layer
dropout=0.1
num_epochs=8
batch_frames=6000
lr=0.002
freq_masks=2
freq_width=8
time_masks=2
time_width=5
label_smoothing=0.0
average_last=0       # 0: the epoch with the best dev frame accuracy; K: average of the last K
num_threads=2
seed=0
# End configuration section.

echo "$0 $@" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -ne 6 ]; then
  echo "Usage: $0 [options] <train-data> <dev-data> <lang-dir> <ali-dir> <dev-ali-dir> <exp-dir>"
  echo "<ali-dir>, <dev-ali-dir>: steps/align.sh outputs (final.mdl, pdf_ali.scp)."
  echo "e.g.: $0 data/fbank/train data/fbank/dev data/lang exp/mono_ali_train exp/mono_ali_dev exp/dnn"
  echo "Options:"
  echo "  --cmd <cmd>                # how to run the job (default: $cmd)"
  echo "  --hidden-dim <n>           # default: $hidden_dim"
  echo "  --layers <k:d ...>         # default: \"$layers\""
  echo "  --dropout <p>              # default: $dropout"
  echo "  --num-epochs <n>           # default: $num_epochs"
  echo "  --batch-frames <n>         # default: $batch_frames"
  echo "  --lr <lr>                  # peak learning rate (default: $lr)"
  echo "  --freq-masks, --freq-width, --time-masks, --time-width   # SpecAugment"
  echo "  --label-smoothing <e>      # of the frame cross-entropy (default: $label_smoothing)"
  echo "  --average-last <k>         # final network: 0 the best dev epoch, k the average of the"
  echo "                             # last k epochs (default: $average_last)"
  echo "  --num-threads <n>          # default: $num_threads"
  exit 1
fi >&2

data=$1
dev_data=$2
lang=$3
alidir=$4
dev_alidir=$5
dir=$6

for f in $data/feats.scp $data/cmvn.scp $dev_data/feats.scp $dev_data/cmvn.scp \
    $lang/phones.txt $alidir/final.mdl $alidir/pdf_ali.scp $dev_alidir/pdf_ali.scp; do
  [ ! -f $f ] && echo "$0: no such file $f" >&2 && exit 1
done

mkdir -p $dir/log || exit 1
rm -f $dir/log/train.log

$cmd $dir/log/train_dnn.log \
  python -m asr.bin.train_dnn --hidden-dim $hidden_dim --layers "$layers" --dropout $dropout \
    --num-epochs $num_epochs --batch-frames $batch_frames --lr $lr --freq-masks $freq_masks \
    --freq-width $freq_width --time-masks $time_masks --time-width $time_width \
    --label-smoothing $label_smoothing --average-last $average_last --num-threads $num_threads --seed $seed $data $dev_data $lang $alidir $dev_alidir $dir \
  || { echo "$0: training failed, see $dir/log/train_dnn.log:" >&2;
       grep -h "train_dnn: " $dir/log/train_dnn.log >&2; exit 1; }

grep "dev frame accuracy" $dir/log/train.log | tail -n 1 >&2
echo "$0: trained $dir/final.pt" >&2
