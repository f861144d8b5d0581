#!/usr/bin/env bash
# Main recipe: FSDD spoken digits (isolated words and connected digits).
#   ./run.sh [--stage N] [--stop-stage M] [--nj 2] [--fsdd-root DIR]
# Stages:
#   0  get FSDD v1.0.10: download it, or verify the copy in --fsdd-root / $FSDD_ROOT
#   1  data dirs: train dev test (official split: test = index 0-4) and the
#      connected-digit sets train_cd dev_cd test_cd; each validated
#   2  features: MFCC (hybrid systems) and fbank (neural systems) with CMVN stats,
#      in data/mfcc/<set> and data/fbank/<set>
#   9  exp/RESULTS.md from every exp/*/decode_*/wer
# Later stages (training, decoding, quantization, benchmarks) are added by their issues.
set -euo pipefail

stage=0
stop_stage=100
nj=2
fsdd_root=${FSDD_ROOT:-}

. ./path.sh
. ./cmd.sh
. utils/parse_options.sh

log() { echo "$(date '+%Y-%m-%d %H:%M:%S') (run.sh:${BASH_LINENO[0]}) $*"; }

sets="train dev test train_cd dev_cd test_cd"

if [ $stage -le 0 ] && [ $stop_stage -ge 0 ]; then
  log "Stage 0: get FSDD v1.0.10"
  local/prepare_data.sh --download-only true ${fsdd_root:+--fsdd-root "$fsdd_root"} downloads data
fi

if [ $stage -le 1 ] && [ $stop_stage -ge 1 ]; then
  log "Stage 1: prepare data dirs ($sets)"
  local/prepare_data.sh ${fsdd_root:+--fsdd-root "$fsdd_root"} downloads data
fi

if [ $stage -le 2 ] && [ $stop_stage -ge 2 ]; then
  log "Stage 2: MFCC and fbank features with CMVN stats"
  for feat in mfcc fbank; do
    for x in $sets; do
      if [ -f data/$feat/$x/feats.scp ] && [ -f data/$feat/$x/cmvn.scp ]; then
        log "data/$feat/$x has features already, skipping"; continue
      fi
      utils/copy_data_dir.sh data/$x data/$feat/$x
      steps/make_$feat.sh --cmd "$feats_cmd" --nj $nj --${feat}-config conf/$feat.yaml \
        data/$feat/$x exp/make_$feat/$x $feat
      steps/compute_cmvn_stats.sh data/$feat/$x exp/make_$feat/$x $feat
    done
  done
fi

if [ $stage -le 9 ] && [ $stop_stage -ge 9 ]; then
  log "Stage 9: results report"
  utils/make_results.sh exp
  log "Wrote exp/RESULTS.md"
fi
