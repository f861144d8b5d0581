#!/usr/bin/env bash
# Make a speed-perturbed copy of a data dir (Kaldi's utils/perturb_data_dir_speed.sh):
# utterance, speaker (and, with segments, recording) ids get the prefix sp<factor>-; segment
# times are divided by the factor; utt2uniq maps new ids to old; wav.scp entries become
# pipes through "python -m asr.bin.apply_speed" (no sox needed; like sox's speed: duration
# / factor, pitch * factor), which feature extraction recognises and resamples in its own
# process. Features, durations and CMVN are not carried. The result is validated.

echo "$0 $*" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -ne 3 ]; then
  echo "Usage: $0 <warping-factor> <src-data-dir> <dest-data-dir>"
  echo "e.g.: $0 0.9 data/train data/train_sp0.9"
  exit 1
fi >&2

factor=$1
src=$2
dest=$3
for f in wav.scp utt2spk; do
  if [ ! -f "$src/$f" ]; then
    echo "$0: no such file $src/$f" >&2
    exit 1
  fi
done

exec python -m asr.bin.perturb_data_dir_speed "$factor" "$src" "$dest"
