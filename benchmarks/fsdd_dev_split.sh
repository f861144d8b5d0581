#!/usr/bin/env bash
# Does training on dev recordings help the FSDD conformer on other dev recordings? Splits
# dev (index 5-9) into dev recordings 5-7 and 8-9, trains the recipe's conformer
# (conf/train/conformer_ctc_fsdd.yaml, speed perturbation) on train_all and on train_all
# plus recordings 5-7, and counts CTC greedy word errors on recordings 8-9 (120 words).
# The test set is not read. The two trainings run side by side, one thread each: about
# 10 minutes on 2 cores.
#
# Run from the repository root after the recipe's stage 2 (data dirs and features):
#   ./run.sh --stop-stage 2 && benchmarks/fsdd_dev_split.sh [--seed N] [<work-dir>]   (default: exp/dev_split)
set -euo pipefail

seed=0
if [ "${1:-}" = "--seed" ] && [ $# -ge 2 ]; then seed=$2; shift 2; fi
if [ $# -gt 1 ] || [ ! -f data/fbank/train_all/feats.scp ] || [ ! -f data/fbank/dev/feats.scp ]; then
  echo "Usage: ./run.sh --stop-stage 2 && $0 [--seed N] [<work-dir>]" >&2
  exit 1
fi
work=${1:-exp/dev_split}
. ./path.sh

mkdir -p $work/log
run() { "$@" > $work/log/$(basename $1).log 2>&1 || { tail -n 20 $work/log/$(basename $1).log >&2; exit 1; }; }
# utterance ids are <speaker>_<digit>_<index>
awk '{n = split($1, a, "_"); if (a[n] + 0 <= 7) print $1}' data/fbank/dev/utt2spk > $work/dev57.list
awk '{n = split($1, a, "_"); if (a[n] + 0 >= 8) print $1}' data/fbank/dev/utt2spk > $work/dev89.list
d=$work/data
[ -f $d/dev89/feats.scp ] || run utils/subset_data_dir.sh --utt-list $work/dev89.list data/fbank/dev $d/dev89
if [ ! -f $d/train_dev57/cmvn.scp ]; then
  run utils/subset_data_dir.sh --utt-list $work/dev57.list data/fbank/dev $d/dev57
  run utils/combine_data.sh $d/train_dev57 data/fbank/train_all $d/dev57
  run steps/compute_cmvn_stats.sh $d/train_dev57 $work/log $d/cmvn
fi
if [ ! -f $d/train/cmvn.scp ]; then  # a copy, so that the speed-perturbed data goes here too
  run utils/combine_data.sh $d/train data/fbank/train_all
  run steps/compute_cmvn_stats.sh $d/train $work/log $d/cmvn
fi

train() {  # <train-data> <exp-dir>
  [ -f $2/final.pt ] && return 0
  steps/train_e2e.sh --speed-perturb true --nj 1 --config conf/train/conformer_ctc_fsdd.yaml \
    --train-opts "--set train.seed=$seed" $1 $d/dev89 $2 > $2.log 2>&1 || { tail -n 20 $2.log >&2; exit 1; }
}
train $d/train $work/without_seed$seed & without=$!
train $d/train_dev57 $work/with_seed$seed & with=$!
wait $without
wait $with
for e in without with; do
  x=$work/${e}_seed$seed
  [ -f $x/decode_dev89/wer ] || run steps/decode.sh --nj 2 --decoding-method ctc_greedy $x $d/dev89 $x/decode_dev89
  printf "trained on %-19s seed %s: dev 8-9 %s\n" "$([ $e = with ] && echo "train_all + dev 5-7" || echo train_all)," \
    $seed "$(head -n 1 $x/decode_dev89/wer)"
done
echo "command: benchmarks/fsdd_dev_split.sh --seed $seed $work"
