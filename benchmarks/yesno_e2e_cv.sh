#!/usr/bin/env bash
# 5-fold cross-validation of the yes/no conformer CTC on train_yesno only (the test set is
# not read): in each fold of benchmarks/yesno_gate_cv.sh a model is trained as egs/yesno
# stage 6 does (--config, default conf/conformer_ctc_yesno.yaml, with any train_e2e.py
# options given after --, e.g. "--set train.seed=1"; the training set doubling as dev) on
# the fold's recordings (--train-data clean) or on them and their gated copies (aug), and
# decodes the held-out recordings as they are and gated, with CTC greedy search. Prints
# word errors per fold and in total. About 4 minutes on 2 cores.
#
# Run from egs/yesno after benchmarks/yesno_gate_cv.sh (same work dir):
#   cd egs/yesno && ../../benchmarks/yesno_e2e_cv.sh [--train-data clean|aug] [--config F] <name> [<work-dir>] [-- train_e2e.py options]
#   e.g. ../../benchmarks/yesno_e2e_cv.sh --train-data aug aug_seed1 exp/gate_cv -- --set train.seed=1
set -euo pipefail

train_data=clean
config=conf/conformer_ctc_yesno.yaml
while [ $# -ge 2 ]; do
  case "$1" in
    --train-data) train_data=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    *) break ;;
  esac
done
if [ $# -lt 1 ] || [[ $1 == --* ]] || [[ ! $train_data =~ ^(clean|aug)$ ]]; then
  echo "Usage: cd egs/yesno && $0 [--train-data clean|aug] [--config F] <name> [<work-dir>] [-- <train_e2e.py options>]" >&2
  exit 1
fi
name=$1; shift
work=exp/gate_cv
if [ $# -gt 0 ] && [ "$1" != "--" ]; then work=$1; shift; fi
[ $# -gt 0 ] && shift  # the --
[ -f $work/fold4/eval_gated/feats.scp ] || {
  echo "$0: no $work/fold4/eval_gated; run ../../benchmarks/yesno_gate_cv.sh $work first" >&2; exit 1; }
. ./path.sh
. "$(dirname "$0")/yesno_cv_common.sh"

declare -A total
for k in 0 1 2 3 4; do
  f=$work/fold$k
  for d in train_$train_data eval_clean eval_gated; do fbank $f/$d $f/fbank_$d; done
  e=$f/e2e_$name
  [ -f $e/final.pt ] || run steps/train_e2e.sh --config $config --train-opts "$*" \
    $f/fbank_train_$train_data $f/fbank_train_$train_data $e
  for ev in clean gated; do
    [ -f $e/decode_$ev/wer ] || run steps/decode.sh --nj 1 --decoding-method ctc_greedy $e $f/fbank_eval_$ev $e/decode_$ev
    errors=$(awk '/%WER/ {print $4}' $e/decode_$ev/wer)
    echo "fold $k  e2e $name  eval $ev  errors $errors"
    total[$ev]=$(( ${total[$ev]:-0} + errors ))
  done
done
echo "e2e $name: word errors over all folds (248 words each): held-out clean ${total[clean]}, held-out gated ${total[gated]}"
echo "command: cd egs/yesno && ../../benchmarks/yesno_e2e_cv.sh --train-data $train_data --config $config $name $work -- $*"
