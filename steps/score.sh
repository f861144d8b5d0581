#!/usr/bin/env bash
# Score a decode dir against its data dir's transcripts, the way Kaldi's compute-wer does:
# writes <decode-dir>/wer (%WER, %SER and "Scored" lines), <decode-dir>/wer_details/per_utt
# (aligned ref/hyp/op/#csid lines per utterance) and wer_details/ops, then prints the %WER line.

# Begin configuration section.
cmd=utils/run.pl
mode=present   # utterances missing from hyp: present (skip, mark [PARTIAL]), all (score as empty), strict (error)
# End configuration section.

echo "$0 $@" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -ne 2 ]; then
  echo "Usage: $0 [options] <data-dir> <decode-dir>"
  echo "Reads <data-dir>/text and <decode-dir>/hyp (Kaldi text format)."
  echo "e.g.: $0 data/test exp/mono/decode_test"
  echo "Options:"
  echo "  --cmd <cmd>            # how to run the job (default: $cmd)"
  echo "  --mode <mode>          # present|all|strict (default: $mode)"
  exit 1
fi >&2

data=$1
dir=$2

for f in $data/text $dir/hyp; do
  [ ! -f $f ] && echo "$0: no such file $f" >&2 && exit 1
done

# a failed rescoring must not leave an earlier result behind
rm -f $dir/wer
$cmd $dir/log/score.log \
  python -m asr.bin.compute_wer --mode $mode --wer-file $dir/wer \
    --details-dir $dir/wer_details $data/text $dir/hyp \
  || { echo "$0: scoring failed, see $dir/log/score.log" >&2; exit 1; }

grep '^%WER' $dir/wer
