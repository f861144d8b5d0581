#!/usr/bin/env bash
# Score a hybrid decode dir's word lattices at a range of language-model weights, as Kaldi's
# local/score.sh does: <decode-dir>/scoring/hyp.LMWT and <decode-dir>/wer_LMWT for each
# integer LMWT (the acoustic scale is 1/LMWT), then prints the best %WER line.
# The decode dir's own wer (at the decoding --acwt) is left as it is. Pick the LMWT on a
# dev set and decode the test set with --acwt 1/LMWT: choosing it on test is tuning on test.

# Begin configuration section.
cmd=utils/run.pl
min_lmwt=7
max_lmwt=17
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
  exit 1
fi >&2

data=$1
graph=$2
dir=$3

for f in $data/text $graph/words.txt; do
  [ ! -f $f ] && echo "$0: no such file $f" >&2 && exit 1
done
ls $dir/lat.*.gz > /dev/null 2>&1 || { echo "$0: no lattices $dir/lat.*.gz" >&2; exit 1; }

rm -f $dir/wer_[0-9]*
$cmd $dir/log/best_path.log \
  python -m asr.bin.lattice_best_path --min-lmwt $min_lmwt --max-lmwt $max_lmwt \
    $graph/words.txt $dir $dir/scoring \
  || { echo "$0: best paths failed, see $dir/log/best_path.log" >&2; exit 1; }

$cmd LMWT=$min_lmwt:$max_lmwt $dir/log/score.LMWT.log \
  python -m asr.bin.compute_wer --wer-file $dir/wer_LMWT $data/text $dir/scoring/hyp.LMWT \
  || { echo "$0: scoring failed, see $dir/log/score.*.log" >&2; exit 1; }

grep -H '^%WER' $dir/wer_[0-9]* | utils/best_wer.sh
