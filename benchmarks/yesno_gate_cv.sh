#!/usr/bin/env bash
# Does noise-gate augmentation help the yes/no monophone system, and does it cost anything
# on ungated audio? 5-fold cross-validation on train_yesno only (the test set is not read):
# each fold trains the recipe's monophone GMM-HMM on the other recordings, without and with
# their gated copies (utils/perturb_data_dir_gate.sh --seed 0), and decodes the held-out
# recordings as they are and gated with other gates (--seed 1). Prints word errors per fold
# and in total. About 3 minutes on 2 cores.
#
# Run from egs/yesno after its stage 3 (data dirs, features, lang):
#   cd egs/yesno && ../../benchmarks/yesno_gate_cv.sh [<work-dir>]   (default: exp/gate_cv)
set -euo pipefail

if [ $# -gt 1 ] || [ ! -f data/lang_test/G.fst ] || [ ! -f data/mfcc/train_yesno/feats.scp ]; then
  echo "Usage: cd egs/yesno && ./run.sh --stop-stage 3 && $0 [<work-dir>]" >&2
  exit 1
fi
work=${1:-exp/gate_cv}
. ./path.sh

mkdir -p $work/log
. "$(dirname "$0")/yesno_cv_common.sh"
feats() {  # <src-data-dir> <name>: MFCC and CMVN stats in $work/data/<name>
  run utils/copy_data_dir.sh $1 $work/data/$2
  run steps/make_mfcc.sh --nj 2 --mfcc-config conf/mfcc.yaml $work/data/$2 $work/log/$2 $work/mfcc
  run steps/compute_cmvn_stats.sh $work/data/$2 $work/log/$2 $work/mfcc
}
subset() {  # <data-dir> <utt-list> <dest>: subset with its own CMVN stats
  run utils/subset_data_dir.sh --utt-list $2 $1 $3
  run steps/compute_cmvn_stats.sh $3 $work/log $(dirname $3)/cmvn  # per fold: archives are named by data dir
}

[ -f $work/data/gate0/feats.scp ] || { run utils/perturb_data_dir_gate.sh --seed 0 data/train_yesno $work/gate0_raw; feats $work/gate0_raw gate0; }
[ -f $work/data/gate1/feats.scp ] || { run utils/perturb_data_dir_gate.sh --seed 1 data/train_yesno $work/gate1_raw; feats $work/gate1_raw gate1; }
[ -f $work/data/aug/feats.scp ] || run utils/combine_data.sh $work/data/aug data/mfcc/train_yesno $work/data/gate0

cut -d' ' -f1 data/train_yesno/utt2spk > $work/all
declare -A total
for k in 0 1 2 3 4; do
  awk -v k=$k 'NR % 5 == k' $work/all > $work/held$k
  grep -vxF -f $work/held$k $work/all > $work/train$k
  sed 's/$/-gate/' $work/held$k > $work/held${k}_gated
  subset data/mfcc/train_yesno $work/held$k $work/fold$k/eval_clean
  subset $work/data/gate1 $work/held${k}_gated $work/fold$k/eval_gated
  for cond in clean aug; do
    if [ $cond = clean ]; then cp $work/train$k $work/list; else sed 'p; s/$/-gate/' $work/train$k > $work/list; fi
    subset $work/data/aug $work/list $work/fold$k/train_$cond
    e=$work/fold$k/mono_$cond
    [ -f $e/final.mdl ] || run steps/train_mono.sh --totgauss 400 $work/fold$k/train_$cond data/lang $e
    [ -f $e/graph/HCLG.fst ] || run utils/mkgraph.sh data/lang_test $e $e/graph
    for ev in clean gated; do
      [ -f $e/decode_$ev/wer ] || run steps/decode.sh --nj 1 $e $work/fold$k/eval_$ev $e/decode_$ev
      errors=$(awk '/%WER/ {print $4}' $e/decode_$ev/wer)
      words=$(awk '/%WER/ {sub(",", "", $6); print $6}' $e/decode_$ev/wer)
      echo "fold $k  train $cond  eval $ev  errors $errors / $words"
      total[$cond,$ev]=$(( ${total[$cond,$ev]:-0} + errors ))
    done
  done
done
echo "word errors over all folds (248 words each):"
for cond in clean aug; do
  echo "  trained on $cond: held-out clean ${total[$cond,clean]}, held-out gated ${total[$cond,gated]}"
done
echo "command: cd egs/yesno && ../../benchmarks/yesno_gate_cv.sh $work"
