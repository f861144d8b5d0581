#!/usr/bin/env bash
# Trains the FSDD conformer (conf/train/conformer_ctc_fsdd.yaml) once per seed, all seeds
# side by side: seed 0 into exp/conformer_ctc, seed N into exp/conformer_ctc_seedN. A
# lone seed gets --nj threads; several get one thread each (two threads barely speed up
# one model of this size). All train on <train-data-dir>_sp (the data and its 0.9x/1.1x
# copies, made first if missing). A model dir that already has final.pt is kept. Each
# training's log: <model-dir>/log/train_e2e.log, ending with its wall time.

# Begin configuration section.
nj=2                                        # CPU threads in all
train_config=conf/train/conformer_ctc_fsdd.yaml
# End configuration section.

echo "$0 $*" >&2
. utils/parse_options.sh || exit 1

if [ $# -ne 3 ]; then
  cat >&2 <<USAGE
Usage: $0 [options] "<seeds>" <train-data-dir> <dev-data-dir>
e.g.: $0 --nj 2 "0 1" data/fbank/train_dev_all data/fbank/dev_all
Options:
  --nj <n>         # CPU threads in all (default: $nj)
  --train-config <yaml>  # training config (default: $train_config)
USAGE
  exit 1
fi
seeds=$1
train=$2
dev=$3
set -euo pipefail

log() { echo "$(date '+%Y-%m-%d %H:%M:%S') ($0) $*"; }

utils/perturb_data_dir_speed_3way.sh --nj $nj $train ${train}_sp
threads=1; [ $(echo $seeds | wc -w) -gt 1 ] || threads=$nj
pids=()
for seed in $seeds; do
  d=exp/conformer_ctc; [ $seed = 0 ] || d=exp/conformer_ctc_seed$seed
  [ -f $d/final.pt ] && continue
  mkdir -p $d/log
  log "training $d (seed $seed, $threads thread(s)), log in $d/log/train_e2e.log"
  ( start=$(date +%s)
    steps/train_e2e.sh --speed-perturb true --num-threads $threads --config $train_config \
      --train-opts "--set train.seed=$seed" $train $dev $d
    log "$d trained in $(( $(date +%s) - start )) s" ) > $d/log/train_e2e.log 2>&1 &
  pids+=($!)
done
failed=0
for pid in ${pids[@]+"${pids[@]}"}; do
  wait $pid || failed=1
done
[ $failed = 0 ] || { echo "$0: a conformer failed to train; see exp/conformer_ctc*/log/train_e2e.log" >&2; exit 1; }
grep -h "trained in" exp/conformer_ctc*/log/train_e2e.log || true
