#!/usr/bin/env bash
# Word and phone time marks (CTM) from an alignment dir (steps/align.sh, steps/train_*.sh)
# or a decode dir holding hyp and ali.scp (Kaldi steps/get_train_ctm.sh, steps/get_ctm.sh):
# <dir>/ctm lines "utt 1 start dur word", <dir>/phone.ctm the same for phones (silence
# included), and <dir>/alignment_<utt>.png, the first utterance's alignment over its
# log-mel spectrogram.

# Begin configuration section.
cmd=utils/run.pl
frame_shift=       # seconds per frame (default: from the model's feats.yaml)
use_segments=true  # with a segments file, key by recording with recording times
plot=true          # write alignment_<utt>.png for the first utterance
# End configuration section.

echo "$0 $@" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -ne 3 ]; then
  echo "Usage: $0 [options] <data-dir> <lang-dir> <ali-or-decode-dir>"
  echo "A decode dir (one with hyp) takes its model from <decode-dir>/.."
  echo "e.g.: $0 data/mfcc/train_yesno data/lang exp/mono_ali"
  echo "Options:"
  echo "  --cmd <cmd>                  # how to run the job (default: $cmd)"
  echo "  --frame-shift <s>            # default: from the model's feats.yaml, else 0.01"
  echo "  --use-segments (true|false)  # default: $use_segments"
  echo "  --plot (true|false)          # default: $plot"
  exit 1
fi >&2

data=$1
lang=$2
dir=$3

model=$dir/final.mdl
[ -f $dir/hyp ] && model=$dir/../final.mdl
for f in $data/utt2spk $lang/words.txt $lang/phones/align_lexicon.int $dir/ali.scp $model; do
  [ ! -f $f ] && echo "$0: no such file $f" >&2 && exit 1
done

mkdir -p $dir/log || exit 1

$cmd $dir/log/get_ctm.log \
  python -m asr.bin.get_ctm ${frame_shift:+--frame-shift $frame_shift} \
    --use-segments $use_segments --plot $plot $data $lang $dir \
  || { echo "$0: failed, see $dir/log/get_ctm.log:" >&2;
       grep -h "get_ctm: " $dir/log/get_ctm.log >&2; exit 1; }

grep -h "wrote" $dir/log/get_ctm.log | sed 's/.*\] //' >&2
