#!/usr/bin/env bash
# Kaldi's yes/no corpus: 60 recordings of one speaker saying eight words each.
#   ./run.sh [--stage N] [--stop-stage M] [--nj 2] [--yesno-root DIR]
# Stages:
#   0  get waves_yesno: download it, or verify the copy in --yesno-root / $YESNO_ROOT
#   1  data dirs: train_yesno (names starting with 0), test_yesno (with 1); validated;
#      train_yesno_aug: train_yesno plus a noise-gated copy (utils/perturb_data_dir_gate.sh)
#   2  features: MFCC and fbank with CMVN stats, in data/mfcc/<set> and data/fbank/<set>
#   3  lang dir (local/dict, CMUdict pronunciations) and a word-loop grammar
#   4  monophone GMM-HMM on train_yesno_aug: train, graph, decode test_yesno
#   5  hybrid TDNN on the monophone alignments of train_yesno_aug (dev: the last 6
#      training recordings and their gated copies; the last 5 epochs averaged)
#   6  conformer CTC (word units; untuned, train_yesno doubles as dev); greedy and
#      WFST (TLG, word loop) decoding
#  20  exp/RESULTS.md from every exp/*/decode_*/wer
set -euo pipefail

stage=0
stop_stage=100
nj=2
yesno_root=${YESNO_ROOT:-}

. ./path.sh
. ./cmd.sh
. utils/parse_options.sh

log() { echo "$(date '+%Y-%m-%d %H:%M:%S') (run.sh:${BASH_LINENO[0]}) $*"; }

sets="train_yesno train_yesno_aug test_yesno"

if [ $stage -le 0 ] && [ $stop_stage -ge 0 ]; then
  log "Stage 0: get waves_yesno"
  local/prepare_data.sh --download-only true ${yesno_root:+--yesno-root "$yesno_root"} downloads data
fi

if [ $stage -le 1 ] && [ $stop_stage -ge 1 ]; then
  log "Stage 1: prepare data dirs ($sets)"
  local/prepare_data.sh ${yesno_root:+--yesno-root "$yesno_root"} downloads data
  # Three test recordings start with digital silence (a noise gate) that only one training
  # recording has; trained without gated copies, the GMM and the DNN made all their errors
  # there. 5-fold cross-validation on train_yesno: README.md, "Benchmarks".
  if [ ! -f data/train_yesno_aug/utt2spk ]; then
    utils/perturb_data_dir_gate.sh data/train_yesno data/train_yesno_gate
    utils/combine_data.sh data/train_yesno_aug data/train_yesno data/train_yesno_gate
  fi
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

if [ $stage -le 3 ] && [ $stop_stage -ge 3 ]; then
  log "Stage 3: lang dir and word-loop grammar"
  [ -f data/lang/L_disambig.fst ] || utils/prepare_lang.sh local/dict "<UNK>" data/local/lang_tmp data/lang
  [ -f data/lang_test/G.fst ] || utils/make_word_loop.sh data/lang data/lang_test
fi

if [ $stage -le 4 ] && [ $stop_stage -ge 4 ]; then
  log "Stage 4: monophone GMM-HMM: train, graph, decode test_yesno"
  [ -f exp/mono/final.mdl ] || \
    steps/train_mono.sh --cmd "$train_cmd" --totgauss 400 data/mfcc/train_yesno_aug data/lang exp/mono
  [ -f exp/mono/graph/HCLG.fst ] || utils/mkgraph.sh data/lang_test exp/mono exp/mono/graph
  [ -f exp/mono/decode_test_yesno/wer ] || \
    steps/decode.sh --cmd "$decode_cmd" --nj $nj exp/mono data/mfcc/test_yesno exp/mono/decode_test_yesno
  # word and phone time marks (ctm, phone.ctm) and a plot of one alignment
  steps/get_ctm.sh data/mfcc/test_yesno data/lang_test exp/mono/decode_test_yesno
fi

if [ $stage -le 5 ] && [ $stop_stage -ge 5 ]; then
  log "Stage 5: hybrid TDNN: align, train, graph, decode test_yesno"
  [ -f exp/mono_ali/pdf_ali.scp ] || \
    steps/align.sh --cmd "$train_cmd" data/mfcc/train_yesno_aug data/lang exp/mono exp/mono_ali
  if [ ! -f exp/dnn/final.pt ]; then
    # recordings split with their gated copies: the first 25 to train, the last 6 for dev
    mkdir -p data/local
    cut -d' ' -f1 data/train_yesno/utt2spk | head -n 25 | awk '{print; print $1 "-gate"}' > data/local/dnn_tr.list
    cut -d' ' -f1 data/train_yesno/utt2spk | tail -n 6 | awk '{print; print $1 "-gate"}' > data/local/dnn_cv.list
    utils/subset_data_dir.sh --utt-list data/local/dnn_tr.list data/fbank/train_yesno_aug data/fbank/train_yesno_tr
    utils/subset_data_dir.sh --utt-list data/local/dnn_cv.list data/fbank/train_yesno_aug data/fbank/train_yesno_cv
    # 20 epochs (dev frame accuracy of the best epoch 0.910 against 0.895 after 10 and 0.909
    # after 30 when chosen, before the gated copies were added).
    # --hidden-dim 128 from 5-fold cross-validation on train_yesno with the gated copies
    # (benchmarks/yesno_dnn_cv.sh; word errors on held-out clean / gated recordings, 248
    # words each): hidden dim 256 (the default) 1 / 7, --dropout 0.3 1 / 6, 128 1 / 3
    # (fewer or as many errors in every fold); 128 trained on all recordings, the training
    # set doubling as dev (--holdout 0): 1 / 9. But 128 with --seed 1: 1 / 10, so these
    # differences are within seed-to-seed spread. Averaging the last 5 epochs' weights
    # (--average-last 5) narrows it: seeds 0, 1, 2: 1 / 3, 1 / 7, 1 / 4 (best epoch: 1 / 3,
    # 1 / 10, 1 / 8).
    steps/train_dnn.sh --cmd "$train_cmd" --batch-frames 1000 --num-epochs 20 --hidden-dim 128 --average-last 5 \
      data/fbank/train_yesno_tr data/fbank/train_yesno_cv data/lang exp/mono_ali exp/mono_ali exp/dnn
  fi
  [ -f exp/dnn/graph/HCLG.fst ] || utils/mkgraph.sh data/lang_test exp/dnn exp/dnn/graph
  # --word-ins-penalty 6 from the same cross-validation (--decode-opts): the remaining
  # errors were insertions of a short NO between two words and deletions; word errors on
  # held-out clean / gated recordings at penalty 0, 2, 4, 5, 6, 8, 10, 12: 1 / 3, 1 / 3,
  # 1 / 2, 1 / 1, 1 / 1, 1 / 1, 5 / 9, 97 / 109 (6: inside the plateau, away from the
  # deletions beyond 8).
  [ -f exp/dnn/decode_test_yesno/wer ] || steps/decode.sh --cmd "$decode_cmd" --nj $nj \
    --word-ins-penalty 6 exp/dnn data/fbank/test_yesno exp/dnn/decode_test_yesno
fi

if [ $stage -le 6 ] && [ $stop_stage -ge 6 ]; then
  log "Stage 6: conformer CTC: train, decode test_yesno"
  [ -f exp/conformer_ctc/final.pt ] || steps/train_e2e.sh --config conf/conformer_ctc_yesno.yaml \
    data/fbank/train_yesno data/fbank/train_yesno exp/conformer_ctc
  [ -f exp/conformer_ctc/decode_test_yesno/wer ] || steps/decode.sh --nj 1 --decoding-method ctc_greedy \
    exp/conformer_ctc data/fbank/test_yesno exp/conformer_ctc/decode_test_yesno
  [ -f exp/conformer_ctc/graph/TLG.fst ] || utils/mkgraph_ctc.sh --prior-data data/fbank/train_yesno \
    data/lang_test exp/conformer_ctc exp/conformer_ctc/graph
  [ -f exp/conformer_ctc/decode_test_yesno.wfst/wer ] || steps/decode.sh --nj 1 --decoding-method wfst \
    exp/conformer_ctc data/fbank/test_yesno exp/conformer_ctc/decode_test_yesno.wfst
fi

if [ $stage -le 20 ] && [ $stop_stage -ge 20 ]; then
  log "Stage 20: results report"
  utils/make_results.sh exp
fi
