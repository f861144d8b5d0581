#!/usr/bin/env bash
# How does a model hold up in noise and in rooms? Makes noisy copies of a data dir
# (utils/make_noisy_data_dir.sh; SNR on the waveform): white noise at 10 dB, pink noise at
# 5 dB, babble at 10 dB of three recordings of another corpus's speech (Kaldi's yes/no:
# another speaker and language), and two synthetic rooms (reverberation alone: RT60 0.4 s
# with a direct-to-reverberant ratio of 5 dB, RT60 0.7 s at 0 dB), then decodes the clean and the noisy sets with
# steps/decode.sh and prints one WER line per set. Any model dir steps/decode.sh takes
# (GMM, DNN with its graph, end-to-end).
#
# Run from the repository root (or a recipe dir) after the model is trained, e.g.:
#   benchmarks/noise_robustness.sh exp/conformer_ctc data/fbank/dev_all
#   benchmarks/noise_robustness.sh --decode-opts "--decoding-method ctc_greedy" exp/conformer_ctc data/fbank/dev_all
# Noisy sets go to <work-dir>/<set>_<noise> (default work dir: exp/noise_robustness),
# decodes to <model-dir>/decode_<set>_<noise> and <model-dir>/decode_<set>_clean.
# YESNO_ROOT (default: ../shared/corpora/yesno beside the repository) holds waves_yesno/.
set -euo pipefail

decode_opts=
work=exp/noise_robustness
while [ $# -gt 0 ] && [[ $1 == --* ]]; do
  case $1 in
    --decode-opts) decode_opts=$2; shift 2 ;;
    --work-dir) work=$2; shift 2 ;;
    *) echo "$0: unknown option $1" >&2; exit 1 ;;
  esac
done
if [ $# -ne 2 ]; then
  echo "Usage: $0 [--decode-opts '<steps/decode.sh options>'] [--work-dir DIR] <model-dir> <data-dir>" >&2
  echo "e.g.: $0 exp/conformer_ctc data/fbank/dev_all" >&2
  exit 1
fi
model=$1
data=$2
here=$(cd "$(dirname "$0")/.." && pwd)
yesno=${YESNO_ROOT:-$here/../shared/corpora/yesno}
[ -d $yesno/waves_yesno ] || { echo "$0: no $yesno/waves_yesno (set YESNO_ROOT)" >&2; exit 1; }
. ./path.sh

mkdir -p $work/log
set_name=$(basename $data)
for f in $yesno/waves_yesno/*.wav; do echo "yesno_$(basename $f .wav) $f"; done > $work/babble.scp
noisy_copy() {  # <name> <make_noisy_data_dir.sh options>
  local dest=$work/${set_name}_$1; shift
  [ -f $dest/wav.scp ] || utils/make_noisy_data_dir.sh "$@" $data $dest > $work/log/make_$(basename $dest).log 2>&1 \
    || { cat $work/log/make_$(basename $dest).log >&2; exit 1; }
}
noisy_copy white10 --snr 10 --noise white --seed 1
noisy_copy pink5 --snr 5 --noise pink --seed 2
noisy_copy babble10 --snr 10 --noise scp --noise-scp $work/babble.scp --num-mix 3 --seed 3
noisy_copy rev04 --noise none --rt60 0.4 --drr 5 --seed 3
noisy_copy rev07 --noise none --rt60 0.7 --drr 0 --seed 4

for x in clean white10 pink5 babble10 rev04 rev07; do
  d=$work/${set_name}_$x
  [ $x = clean ] && d=$data
  out=$model/decode_${set_name}_$x
  [ -f $out/wer ] || steps/decode.sh --nj 2 $decode_opts $model $d $out > $work/log/decode_$(basename $out).log 2>&1 \
    || { tail -n 20 $work/log/decode_$(basename $out).log >&2; exit 1; }
  printf "%-10s %s\n" $x "$(head -n 1 $out/wer)"
done
echo "command: $0 ${decode_opts:+--decode-opts '$decode_opts' }$model $data"
