#!/usr/bin/env bash
# Make <dest-data-dir> = <src-data-dir> plus 0.9x and 1.1x speed-perturbed copies (Kaldi's
# utils/data/perturb_data_dir_speed_3way.sh), with fbank features of the copies computed
# with the source's own conf/feats.yaml, and CMVN stats (per speaker and global) of the
# whole. The copies stay beside it as <dest>0.9 and <dest>1.1. Done once: a dest that has
# cmvn_global.mat is left alone. steps/train_e2e.sh --speed-perturb true calls this.

# Begin configuration section.
cmd=utils/run.pl
nj=4
# End configuration section.

echo "$0 $*" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -ne 2 ]; then
  echo "Usage: $0 [options] <src-data-dir> <dest-data-dir>"
  echo "e.g.: $0 --nj 2 data/fbank/train data/fbank/train_sp"
  echo "Options:"
  echo "  --nj <nj>                # feature jobs (default: $nj)"
  echo "  --cmd <cmd>              # how to run them (default: $cmd)"
  exit 1
fi >&2

src=$1
sp=$2
[ -f "$sp/cmvn_global.mat" ] && exit 0
for f in wav.scp feats.scp conf/feats.yaml; do
  [ ! -f "$src/$f" ] && echo "$0: speed perturbation needs $src/$f" >&2 && exit 1
done
parts=()
for factor in 0.9 1.1; do
  utils/perturb_data_dir_speed.sh $factor "$src" "$sp$factor" || exit 1
  steps/make_fbank.sh --cmd "$cmd" --nj $nj --fbank-config "$src/conf/feats.yaml" \
    "$sp$factor" "$sp$factor/log" "$sp$factor/data" || exit 1
  parts+=("$sp$factor")
done
# cmvn.scp is per speaker and recomputed below, so the sources go without it
base=$sp.base
mkdir -p "$base" || exit 1
for f in wav.scp feats.scp text utt2spk spk2utt utt2num_frames; do
  [ -f "$src/$f" ] && cp "$src/$f" "$base/$f"
done
utils/combine_data.sh "$sp" "$base" "${parts[@]}" || exit 1
mkdir -p "$sp/conf" && cp "$src/conf/feats.yaml" "$sp/conf/feats.yaml" || exit 1
steps/compute_cmvn_stats.sh --cmd "$cmd" "$sp" "$sp/log" "$sp/data" || exit 1
