#!/usr/bin/env bash
# Merge data dirs into a new one (Kaldi's utils/combine_data.sh). An id in two sources must
# have identical lines in both (otherwise an error lists the clashes). A file is written
# only if every source has it (a warning names the ones that are not); sources without
# segments get whole-recording segments when others have them. The result goes through
# fix_data_dir unless --skip-fix true.

skip_fix=false

echo "$0 $*" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -lt 2 ]; then
  echo "Usage: $0 [--skip-fix true] <dest-data-dir> <src-data-dir1> [<src-data-dir2> ...]"
  echo "e.g.: $0 data/train_sp data/train data/train_sp0.9 data/train_sp1.1"
  exit 1
fi >&2

dest=$1
shift
for dir in "$@"; do
  if [ ! -f "$dir/utt2spk" ]; then
    echo "$0: no such file $dir/utt2spk" >&2
    exit 1
  fi
done

opts=()
if [ "$skip_fix" = true ]; then opts+=(--skip-fix); fi
exec python -m asr.bin.combine_data "${opts[@]}" "$dest" "$@"
