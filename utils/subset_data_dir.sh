#!/usr/bin/env bash
# Copy a subset of a data dir (Kaldi's utils/subset_data_dir.sh): utt2spk, spk2utt, text,
# segments, wav.scp (the recordings needed), feats.scp, cmvn.scp (the speakers needed),
# utt2num_frames, utt2dur, ... restricted to the chosen utterances.
# Without an option the utterances are spread evenly over the sorted list. As in Kaldi,
# --first, --last, --shortest and --per-spk take no value.

mode=()
list_opt=()
echo "$0 $*" >&2
[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)

while [ $# -gt 0 ]; do
  case "$1" in
    --first|--last|--shortest|--per-spk) mode=("$1"); shift ;;
    --utt-list|--spk-list)
      [ $# -ge 2 ] || { echo "$0: option $1 needs a value" >&2; exit 1; }
      list_opt=("$1" "$2"); shift 2 ;;
    --*) echo "$0: unknown option $1" >&2; exit 1 ;;
    *) break ;;
  esac
done

usage() {
  echo "Usage: $0 [--first|--last|--shortest|--per-spk] <src-data-dir> <num-utt> <dest-data-dir>"
  echo "       $0 --utt-list <utterance-list-file> <src-data-dir> <dest-data-dir>"
  echo "       $0 --spk-list <speaker-list-file> <src-data-dir> <dest-data-dir>"
  echo "e.g.: $0 --first data/train 500 data/train_500"
  exit 1
} >&2

if [ ${#list_opt[@]} -gt 0 ]; then
  [ $# -eq 2 ] && [ ${#mode[@]} -eq 0 ] || usage
  [ -f "${list_opt[1]}" ] || { echo "$0: no such file ${list_opt[1]}" >&2; exit 1; }
else
  [ $# -eq 3 ] || usage
fi

src=$1
for f in utt2spk; do
  if [ ! -f "$src/$f" ]; then
    echo "$0: no such file $src/$f" >&2
    exit 1
  fi
done

exec python -m asr.bin.subset_data_dir "${mode[@]}" "${list_opt[@]}" "$@"
