#!/usr/bin/env bash
# Main recipe: FSDD spoken digits (isolated words and connected digits).
#   ./run.sh [--stage N] [--stop-stage M] [--nj 2] [--fsdd-root DIR] [--ensemble-seeds "1"]
# Stages:
#   0  get FSDD v1.0.10: download it, or verify the copy in --fsdd-root / $FSDD_ROOT
#   1  data dirs: train dev test (official split: test = index 0-4) and the
#      connected-digit sets train_cd dev_cd test_cd; each validated
#   2  features: MFCC (hybrid systems) and fbank (neural systems) with CMVN stats,
#      in data/mfcc/<set> and data/fbank/<set>; train_all = train + train_cd and
#      dev_all = dev + dev_cd for the systems that learn from connected digits too
#   3  lang dir (local/dict, CMUdict pronunciations) and a word-loop grammar
#   4  monophone GMM-HMM on train; decoded on test and test_cd
#   5  triphone GMM-HMM (tri1) on train_all from the monophone alignments; decoded
#   6  hybrid TDNN (fbank, cross-entropy on the monophone alignments of train_all, of a
#      copy with pink noise at 15 dB and of one in a synthetic room, selected by dev_all
#      frame accuracy) through the same graph; decoded
#   7  conformer CTC (word units, per-speaker CMVN) on train_dev_all = train_all +
#      dev_all (every official training recording; the config was tuned with dev_all
#      held out) with 0.9x/1.1x speed perturbation, the config's 0.8-1.25x time
#      stretch, room reverberation (RT60 0.2-0.9 s) and additive noise (5-25 dB SNR, white
#      to brown noise or babble), trained with consistency-regularized CTC (CR-CTC);
#      decoded with CTC greedy search, prefix beam search and a TLG graph (word loop)
#      searched with kaldi-decoder; --ensemble-seeds (default "1") trains the same config
#      with those seeds too, side by side (one thread each), and decodes the ensemble
#      exp/conformer_ctc_ens (pooled n-best, summed CTC log-likelihoods);
#      --ensemble-seeds "" trains exp/conformer_ctc alone on --nj threads
#   8  robustness: noisy copies of test and test_cd (white noise at 10 dB, pink noise at
#      5 dB SNR) and reverberant ones (a synthetic room: RT60 0.6 s, direct-to-reverberant
#      ratio 0 dB) decoded by the DNN, the conformer (CTC greedy) and the ensemble if
#      there is one
#  20  exp/RESULTS.md from every exp/*/decode_*/wer
# Stages still to come (see the open issues): quantization, benchmarks.
set -euo pipefail

stage=0
stop_stage=100
nj=2
fsdd_root=${FSDD_ROOT:-}
ensemble_seeds=1       # stage 7: more conformers with these seeds for an ensemble ("" for none)

. ./path.sh
. ./cmd.sh
. utils/parse_options.sh

for seed in $ensemble_seeds; do
  [[ $seed =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --ensemble-seeds takes positive integers (seed 0 is exp/conformer_ctc), got '$seed'" >&2; exit 1; }
done
if [ -n "$(echo $ensemble_seeds | tr ' ' '\n' | sort | uniq -d)" ]; then
  echo "run.sh: --ensemble-seeds repeats a seed: '$ensemble_seeds'" >&2; exit 1
fi

log() { echo "$(date '+%Y-%m-%d %H:%M:%S') (run.sh:${BASH_LINENO[0]}) $*"; }

sets="train dev test train_cd dev_cd test_cd"
test_sets="test test_cd"

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
    for x in train dev; do
      [ -f data/$feat/${x}_all/cmvn.scp ] && continue
      utils/combine_data.sh data/$feat/${x}_all data/$feat/$x data/$feat/${x}_cd
      steps/compute_cmvn_stats.sh data/$feat/${x}_all exp/make_$feat/${x}_all $feat
    done
  done
fi

if [ $stage -le 3 ] && [ $stop_stage -ge 3 ]; then
  log "Stage 3: lang dir and word-loop grammar"
  [ -f data/lang/L_disambig.fst ] || utils/prepare_lang.sh local/dict "<UNK>" data/local/lang_tmp data/lang
  [ -f data/lang_test/G.fst ] || utils/make_word_loop.sh data/lang data/lang_test
fi

if [ $stage -le 4 ] && [ $stop_stage -ge 4 ]; then
  log "Stage 4: monophone GMM-HMM: train, graph, decode"
  [ -f exp/mono/final.mdl ] || steps/train_mono.sh --cmd "$train_cmd" data/mfcc/train data/lang exp/mono
  [ -f exp/mono/graph/HCLG.fst ] || utils/mkgraph.sh data/lang_test exp/mono exp/mono/graph
  for x in $test_sets; do
    [ -f exp/mono/decode_$x/wer ] && continue
    steps/decode.sh --cmd "$decode_cmd" --nj $nj exp/mono data/mfcc/$x exp/mono/decode_$x
  done
fi

if [ $stage -le 5 ] && [ $stop_stage -ge 5 ]; then
  log "Stage 5: triphone GMM-HMM (tri1) on train_all: align, train, graph, decode"
  if [ ! -f exp/tri1/final.mdl ]; then
    steps/align.sh --cmd "$train_cmd" data/mfcc/train_all data/lang exp/mono exp/mono_ali
    steps/get_ctm.sh data/mfcc/train_all data/lang exp/mono_ali   # time marks + alignment plot
    steps/train_deltas.sh --cmd "$train_cmd" 500 2000 data/mfcc/train_all data/lang exp/mono_ali exp/tri1
  fi
  [ -f exp/tri1/graph/HCLG.fst ] || utils/mkgraph.sh data/lang_test exp/tri1 exp/tri1/graph
  for x in $test_sets; do
    [ -f exp/tri1/decode_$x/wer ] && continue
    steps/decode.sh --cmd "$decode_cmd" --nj $nj exp/tri1 data/mfcc/$x exp/tri1/decode_$x
  done
fi

if [ $stage -le 6 ] && [ $stop_stage -ge 6 ]; then
  log "Stage 6: hybrid TDNN on monophone alignments: train, graph, decode"
  [ -f exp/mono_ali/pdf_ali.scp ] || \
    steps/align.sh --cmd "$train_cmd" data/mfcc/train_all data/lang exp/mono exp/mono_ali
  [ -f exp/mono_ali_dev_all/pdf_ali.scp ] || \
    steps/align.sh --cmd "$train_cmd" data/mfcc/dev_all data/lang exp/mono exp/mono_ali_dev_all
  # Multi-condition training: train_all plus a copy with pink noise at 15 dB SNR (ids
  # prefixed noise1-) and a copy in a synthetic room (RT60 0.5 s, DRR 3 dB; room1-), both
  # keeping the clean alignments. On dev_all (one seed; the dev copies have other noise
  # colors, SNRs and rooms than the training copies): the noise copy took clean 1.50 ->
  # 1.00%, white noise 10 dB 11.33 -> 4.17%, pink noise 5 dB 16.00 -> 3.83%; the room copy
  # then clean 0.83 -> 0.83%, white 3.33 -> 3.33%, pink 4.50 -> 4.00%, rooms of RT60 0.4 s
  # at 5 dB 2.17 -> 1.33% and 0.7 s at 0 dB 10.00 -> 1.67% (the room instead of the noise
  # in the one copy: 1.33, 4.83, 5.00, 1.17, 4.33%).
  for spec in "noise1 --noise pink --snr 15 --seed 11" "room1 --noise none --rt60 0.5 --drr 3 --seed 12"; do
    read -r copy opts <<< "$spec"
    d=data/fbank/train_all_$copy
    [ -f $d/cmvn.scp ] && continue
    utils/make_noisy_data_dir.sh $opts --id-prefix $copy- data/fbank/train_all $d
    steps/make_fbank.sh --cmd "$feats_cmd" --nj $nj --fbank-config conf/fbank.yaml $d exp/make_fbank/train_all_$copy fbank
    steps/compute_cmvn_stats.sh $d exp/make_fbank/train_all_$copy fbank
  done
  if [ ! -f data/fbank/train_all_mc/cmvn.scp ]; then
    utils/combine_data.sh data/fbank/train_all_mc data/fbank/train_all data/fbank/train_all_{noise1,room1}
    steps/compute_cmvn_stats.sh data/fbank/train_all_mc exp/make_fbank/train_all_mc fbank
  fi
  [ -f exp/mono_ali_mc/pdf_ali.scp ] || utils/augment_ali_dir.sh exp/mono_ali exp/mono_ali_mc noise1- room1-
  [ -f exp/dnn/final.pt ] || steps/train_dnn.sh --cmd "$train_cmd" --num-epochs 12 --hidden-dim 192 \
    --batch-frames 3000 --time-masks 1 data/fbank/train_all_mc data/fbank/dev_all data/lang \
    exp/mono_ali_mc exp/mono_ali_dev_all exp/dnn
  [ -f exp/dnn/graph/HCLG.fst ] || utils/mkgraph.sh data/lang_test exp/dnn exp/dnn/graph
  for x in $test_sets; do
    [ -f exp/dnn/decode_$x/wer ] && continue
    steps/decode.sh --cmd "$decode_cmd" --nj $nj exp/dnn data/fbank/$x exp/dnn/decode_$x
  done
fi

if [ $stage -le 7 ] && [ $stop_stage -ge 7 ]; then
  log "Stage 7: conformer CTC on train_dev_all: train, decode"
  # dev (index 5-9) was held out to tune conf/train/conformer_ctc_fsdd.yaml; the model that
  # is decoded averages the last epochs (no dev-based choice), so it trains on dev too. The
  # dev figures in its log are therefore not held-out ones.
  if [ ! -f data/fbank/train_dev_all/cmvn.scp ]; then
    utils/combine_data.sh data/fbank/train_dev_all data/fbank/train_all data/fbank/dev_all
    steps/compute_cmvn_stats.sh data/fbank/train_dev_all exp/make_fbank/train_dev_all fbank
  fi
  # --ensemble-seeds: more models for an ensemble, trained side by side (a pair in 1.2-1.4x
  # one model's time on 2 cores). On dev_all (seeds 0-4, README "Benchmarks") a pair made
  # 23% fewer errors than one model on clean speech and 12% fewer in noise and rooms.
  local/train_conformers.sh --nj $nj "0 $ensemble_seeds" data/fbank/train_dev_all data/fbank/dev_all
  members=(exp/conformer_ctc)
  for seed in $ensemble_seeds; do members+=(exp/conformer_ctc_seed$seed); done
  [ -f exp/conformer_ctc/graph/TLG.fst ] || utils/mkgraph_ctc.sh --prior-data data/fbank/train_dev_all \
    data/lang_test exp/conformer_ctc exp/conformer_ctc/graph
  for x in $test_sets; do
    for m in ctc_greedy ctc_prefix_beam wfst; do
      [ -f exp/conformer_ctc/decode_$x.$m/wer ] && continue
      steps/decode.sh --nj $nj --decoding-method $m exp/conformer_ctc data/fbank/$x exp/conformer_ctc/decode_$x.$m
    done
  done
  if [ ${#members[@]} -gt 1 ]; then
    previous=$(cat exp/conformer_ctc_ens/members 2> /dev/null || true)
    utils/make_ensemble_dir.sh exp/conformer_ctc_ens "${members[@]}"
    # other --ensemble-seeds than last time: the old decodes are another ensemble's
    [ "$previous" = "$(cat exp/conformer_ctc_ens/members)" ] || rm -rf exp/conformer_ctc_ens/decode_*
    for x in $test_sets; do
      [ -f exp/conformer_ctc_ens/decode_$x/wer ] || \
        steps/decode.sh --nj $nj exp/conformer_ctc_ens data/fbank/$x exp/conformer_ctc_ens/decode_$x
    done
  fi
fi

if [ $stage -le 8 ] && [ $stop_stage -ge 8 ]; then
  log "Stage 8: robustness: noisy and reverberant copies of $test_sets decoded by the DNN and the conformer"
  for x in $test_sets; do
    for spec in "white10 --noise white --snr 10 --seed 1" "pink5 --noise pink --snr 5 --seed 2" \
                "rev06 --noise none --rt60 0.6 --drr 0 --seed 3"; do
      read -r noise opts <<< "$spec"
      d=data/${x}_$noise
      [ -f $d/wav.scp ] || utils/make_noisy_data_dir.sh $opts data/$x $d
      [ -f exp/dnn/decode_${x}_$noise/wer ] || \
        steps/decode.sh --cmd "$decode_cmd" --nj $nj exp/dnn $d exp/dnn/decode_${x}_$noise
      [ -f exp/conformer_ctc/decode_${x}_$noise.ctc_greedy/wer ] || steps/decode.sh --nj $nj \
        --decoding-method ctc_greedy exp/conformer_ctc $d exp/conformer_ctc/decode_${x}_$noise.ctc_greedy
      [ ! -f exp/conformer_ctc_ens/members ] || [ -f exp/conformer_ctc_ens/decode_${x}_$noise/wer ] || \
        steps/decode.sh --nj $nj exp/conformer_ctc_ens $d exp/conformer_ctc_ens/decode_${x}_$noise
    done
  done
fi

if [ $stage -le 20 ] && [ $stop_stage -ge 20 ]; then
  log "Stage 20: results report"
  utils/make_results.sh exp
  log "Wrote exp/RESULTS.md"
fi
