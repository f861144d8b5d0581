#!/usr/bin/env bash
# 5-fold cross-validation of the yes/no hybrid TDNN with noise-gate augmentation, on
# train_yesno only (the test set is not read): in each fold of benchmarks/yesno_gate_cv.sh,
# the monophone model trained on the fold's recordings and their gated copies aligns them;
# a TDNN is trained as egs/yesno stage 5 does (the fold's last --holdout recordings, default
# 5, and their copies as its dev set; --holdout 0: trained on all of them, the training set
# doubling as dev) with any extra steps/train_dnn.sh options given here, and decodes
# the held-out recordings as they are and gated (with --decode-opts, steps/decode.sh
# options, e.g. "--word-ins-penalty 5"; a trained model is reused). Prints word errors per
# fold and in total. About 5 minutes on 2 cores (1 for decoding alone).
#
# Run from egs/yesno after benchmarks/yesno_gate_cv.sh (same work dir):
#   cd egs/yesno && ../../benchmarks/yesno_dnn_cv.sh [--holdout N] [--decode-opts "OPTS"] <name> [<work-dir>] [-- train_dnn.sh options]
#   e.g. ../../benchmarks/yesno_dnn_cv.sh dropout0.3 exp/gate_cv -- --dropout 0.3
set -euo pipefail

holdout=5
decode_opts=
while [ $# -ge 2 ]; do
  case "$1" in
    --holdout) holdout=$2; shift 2 ;;
    --decode-opts) decode_opts=$2; shift 2 ;;
    *) break ;;
  esac
done
if [ $# -lt 1 ] || [ "$1" = "--" ] || [[ $1 == --* ]] || ! [[ $holdout =~ ^[0-9]+$ ]]; then
  echo "Usage: cd egs/yesno && $0 [--holdout N] [--decode-opts \"OPTS\"] <name> [<work-dir>] [-- <steps/train_dnn.sh options>]" >&2
  exit 1
fi
name=$1; shift
work=exp/gate_cv
if [ $# -gt 0 ] && [ "$1" != "--" ]; then work=$1; shift; fi
[ $# -gt 0 ] && shift  # the --
[ -f $work/fold4/mono_aug/final.mdl ] || {
  echo "$0: no $work/fold4/mono_aug; run ../../benchmarks/yesno_gate_cv.sh $work first" >&2; exit 1; }
. ./path.sh

. "$(dirname "$0")/yesno_cv_common.sh"

declare -A total
for k in 0 1 2 3 4; do
  f=$work/fold$k
  [ -f $f/mono_aug_ali/pdf_ali.scp ] || run steps/align.sh $f/train_aug data/lang $f/mono_aug $f/mono_aug_ali
  for d in train_aug eval_clean eval_gated; do fbank $f/$d $f/fbank_$d; done
  split=$f/split_holdout$holdout
  if [ ! -f $split/cv/feats.scp ]; then
    mkdir -p $split
    if [ $holdout -gt 0 ]; then
      tail -n $holdout $work/train$k | sed 'p; s/$/-gate/' | sort > $split/cv.list
      sed 'p; s/$/-gate/' $work/train$k | grep -vxF -f $split/cv.list | sort > $split/tr.list
    else
      sed 'p; s/$/-gate/' $work/train$k | sort | tee $split/cv.list > $split/tr.list
    fi
    run utils/subset_data_dir.sh --utt-list $split/tr.list $f/fbank_train_aug $split/tr
    run utils/subset_data_dir.sh --utt-list $split/cv.list $f/fbank_train_aug $split/cv
  fi
  e=$f/dnn_$name
  [ -f $e/final.pt ] || run steps/train_dnn.sh --batch-frames 1000 --num-epochs 20 "$@" \
    $split/tr $split/cv data/lang $f/mono_aug_ali $f/mono_aug_ali $e
  [ -f $e/graph/HCLG.fst ] || run utils/mkgraph.sh data/lang_test $e $e/graph
  for ev in clean gated; do
    d=$e/decode_$ev${decode_opts:+_$(echo $decode_opts | tr -c 'A-Za-z0-9.\n-' _)}
    [ -f $d/wer ] || run steps/decode.sh --nj 2 $decode_opts $e $f/fbank_eval_$ev $d
    errors=$(awk '/%WER/ {print $4}' $d/wer)
    echo "fold $k  dnn $name  eval $ev  errors $errors"
    total[$ev]=$(( ${total[$ev]:-0} + errors ))
  done
done
echo "dnn $name: word errors over all folds (248 words each): held-out clean ${total[clean]}, held-out gated ${total[gated]}"
echo "command: cd egs/yesno && ../../benchmarks/yesno_dnn_cv.sh --holdout $holdout ${decode_opts:+--decode-opts \"$decode_opts\" }$name $work -- $*"
