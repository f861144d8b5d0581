#!/usr/bin/env bash
# Score a hybrid decode dir's word lattices at a range of language-model weights and word
# insertion penalties, as Kaldi's local/score.sh does: <decode-dir>/scoring/hyp.LMWT_WIP and
# <decode-dir>/wer_LMWT_WIP for each integer LMWT (the acoustic scale is 1/LMWT) and each
# WIP, then prints the best %WER line. The decode dir's own wer is left as it is. Pick them
# on a dev set and decode the test set with --acwt 1/LMWT --word-ins-penalty WIP: choosing
# them on test is tuning on test. Lattices of a decode with --word-ins-penalty P already
# carry P; WIP comes on top.

# Begin configuration section.
cmd=utils/run.pl
min_lmwt=7
max_lmwt=17
word_ins_penalty=0.0,0.5,1.0
# End configuration section.

echo "$0 $@" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -ne 3 ]; then
  echo "Usage: $0 [options] <data-dir> <graph-dir> <decode-dir>"
  echo "Reads <decode-dir>/lat.*.gz (steps/decode.sh), <graph-dir>/words.txt and <data-dir>/text."
  echo "e.g.: $0 data/mfcc/dev exp/mono/graph exp/mono/decode_dev"
  echo "Options:"
  echo "  --cmd <cmd>              # how to run the jobs (default: $cmd)"
  echo "  --min-lmwt <n>           # default: $min_lmwt"
  echo "  --max-lmwt <n>           # default: $max_lmwt"
  echo "  --word-ins-penalty <p,p> # default: $word_ins_penalty"
  exit 1
fi >&2

data=$1
graph=$2
dir=$3

for f in $data/text $graph/words.txt; do
  [ ! -f $f ] && echo "$0: no such file $f" >&2 && exit 1
done
ls $dir/lat.*.gz > /dev/null 2>&1 || { echo "$0: no lattices $dir/lat.*.gz" >&2; exit 1; }

rm -f $dir/wer_[0-9]* $dir/scoring/hyp.*
$cmd $dir/log/best_path.log \
  python -m asr.bin.lattice_best_path --min-lmwt $min_lmwt --max-lmwt $max_lmwt \
    --word-ins-penalty "$word_ins_penalty" $graph/words.txt $dir $dir/scoring \
  || { echo "$0: best paths failed, see $dir/log/best_path.log" >&2; exit 1; }

for wip in ${word_ins_penalty//,/ }; do
  $cmd LMWT=$min_lmwt:$max_lmwt $dir/log/score.LMWT_$wip.log \
    python -m asr.bin.compute_wer --wer-file $dir/wer_LMWT_$wip $data/text $dir/scoring/hyp.LMWT_$wip \
    || { echo "$0: scoring failed, see $dir/log/score.*.log" >&2; exit 1; }
done

grep -H '^%WER' $dir/wer_[0-9]* | utils/best_wer.sh
