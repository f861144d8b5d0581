#!/usr/bin/env bash
# Copy a data dir (Kaldi's utils/copy_data_dir.sh), optionally adding prefixes/suffixes to
# utterance and speaker ids, consistently in every file (wav.scp keys too when there are
# no segments; with segments, recording ids are kept). The copy is validated.

utt_prefix=
utt_suffix=
spk_prefix=
spk_suffix=
validate_opts=   # e.g. "--no-spk-sort" or "--non-print"

echo "$0 $*" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -ne 2 ]; then
  echo "Usage: $0 [--utt-prefix P] [--utt-suffix S] [--spk-prefix P] [--spk-suffix S] [--validate-opts O] <src-data-dir> <dest-data-dir>"
  echo "e.g.: $0 --utt-prefix rev1- --spk-prefix rev1- data/train data/train_rev1"
  exit 1
fi >&2

src=$1
dest=$2
for f in utt2spk; do
  if [ ! -f "$src/$f" ]; then
    echo "$0: no such file $src/$f" >&2
    exit 1
  fi
done

# shellcheck disable=SC2086  # validate_opts is a list of flags
exec python -m asr.bin.copy_data_dir --utt-prefix="$utt_prefix" --utt-suffix="$utt_suffix" \
  --spk-prefix="$spk_prefix" --spk-suffix="$spk_suffix" $validate_opts "$src" "$dest"
