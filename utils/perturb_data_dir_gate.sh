#!/usr/bin/env bash
# Make a noise-gated copy of a data dir, for augmentation: each recording as a noise gate
# would pass it (stretches quieter than a threshold held for 50-300 ms become digital
# near-silence; threshold and hold drawn per recording from --seed and its id). Utterance
# (and, with segments, recording) ids get the suffix -gate; speakers are kept; wav.scp
# entries become pipes through "python -m asr.bin.apply_gate", which feature extraction
# runs in its own process. Features, durations and CMVN are not carried. The result is
# validated. Combine it with the original (utils/combine_data.sh) to train on both.

# Begin configuration section.
seed=0          # base seed of the gates
suffix=-gate    # added to utterance and recording ids
# End configuration section.

echo "$0 $*" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -ne 2 ]; then
  echo "Usage: $0 [options] <src-data-dir> <dest-data-dir>"
  echo "e.g.: $0 data/train_yesno data/train_yesno_gate"
  echo "Options:"
  echo "  --seed <n>       # base seed of the gates (default: $seed)"
  echo "  --suffix <str>   # added to utterance and recording ids (default: $suffix)"
  exit 1
fi >&2

src=$1
dest=$2
for f in wav.scp utt2spk; do
  if [ ! -f "$src/$f" ]; then
    echo "$0: no such file $src/$f" >&2
    exit 1
  fi
done

exec python -m asr.bin.perturb_data_dir_gate --seed "$seed" --suffix="$suffix" "$src" "$dest"
