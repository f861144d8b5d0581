#!/usr/bin/env bash
# Compute Kaldi CMVN stats of a data dir's features: per speaker into
# <cmvn-dir>/cmvn_<name>.{ark,scp} and <data-dir>/cmvn.scp, and over all utterances into
# <data-dir>/cmvn_global.mat (one Kaldi binary double matrix; kaldiio.load_mat reads it).
# Stats are (2, D+1) double matrices: row 0 = sum of features then frame count,
# row 1 = sum of squares then 0, as Kaldi's compute-cmvn-stats writes them.

# Begin configuration section.
cmd=utils/run.pl
# End configuration section.

echo "$0 $@" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
  echo "Usage: $0 [options] <data-dir> [<log-dir> [<cmvn-dir>]]"
  echo "Defaults: <log-dir> = <data-dir>/log, <cmvn-dir> = <data-dir>/data."
  echo "e.g.: $0 data/train exp/make_fbank/train fbank"
  echo "Options:"
  echo "  --cmd <cmd>          # how to run the job, e.g. utils/run.pl (default: $cmd)"
  exit 1
fi >&2

data=$1
logdir=${2:-$data/log}
cmvndir=${3:-$data/data}
name=$(basename "$data")

for f in "$data/feats.scp" "$data/utt2spk" "$data/spk2utt"; do
  [ ! -f "$f" ] && echo "$0: no such file $f" >&2 && exit 1
done

mkdir -p "$logdir" "$cmvndir" || exit 1
rm -f "$data/cmvn.scp" "$data/cmvn_global.mat"

$cmd "$logdir/cmvn_${name}.log" \
  python -m asr.bin.compute_cmvn_stats --name "$name" "$data" "$cmvndir" || {
  echo "$0: computing CMVN stats failed, see $logdir/cmvn_${name}.log:" >&2
  grep -h "error:" "$logdir/cmvn_${name}.log" >&2
  exit 1
}

utils/validate_data_dir.sh --no-text "$data" || exit 1

echo "$0: wrote $data/cmvn.scp and $data/cmvn_global.mat" >&2
