#!/usr/bin/env bash
# Compute Kaldi-compatible features (fbank or MFCC) for a data dir in parallel jobs.
# steps/make_fbank.sh and steps/make_mfcc.sh call this with Kaldi's option names.
# Job JOB takes the JOB-th contiguous chunk of the sorted utterances and writes
# <feat-dir>/raw_<type>_<name>.JOB.{ark,scp,yaml} (scp last, so a job's scp exists only
# when its ark is complete). A rerun redoes only the jobs whose outputs are missing,
# partial or made with another config. <data-dir>/feats.scp, utt2num_frames and
# conf/feats.yaml (the resolved config) are written only after every job succeeded.

# Begin configuration section.
nj=4
cmd=utils/run.pl
feature_type=fbank   # fbank or mfcc
feat_config=conf/fbank.yaml
# End configuration section.

echo "$0 $@" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
  echo "Usage: $0 [options] <data-dir> [<log-dir> [<feat-dir>]]"
  echo "Defaults: <log-dir> = <data-dir>/log, <feat-dir> = <data-dir>/data."
  echo "e.g.: $0 --feature-type mfcc --feat-config conf/mfcc.yaml --nj 4 data/train exp/make_mfcc/train mfcc"
  echo "Options:"
  echo "  --nj <nj>                    # number of parallel jobs (default: $nj)"
  echo "  --cmd <cmd>                  # how to run jobs, e.g. utils/run.pl (default: $cmd)"
  echo "  --feature-type <type>        # fbank or mfcc (default: $feature_type)"
  echo "  --feat-config <yaml>         # feature config (default: $feat_config)"
  exit 1
fi >&2

data=$1
logdir=${2:-$data/log}
featdir=${3:-$data/data}
name=$(basename "$data")

case $feature_type in fbank|mfcc) ;; *) echo "$0: --feature-type must be fbank or mfcc" >&2; exit 1 ;; esac

for f in "$data/wav.scp" "$data/utt2spk" "$feat_config"; do
  [ ! -f "$f" ] && echo "$0: no such file $f" >&2 && exit 1
done

mkdir -p "$logdir" "$featdir" || exit 1

# Outputs derived from older features are moved away: they would not match the new ones.
for f in feats.scp utt2num_frames conf/feats.yaml cmvn.scp cmvn_global.mat; do
  if [ -f "$data/$f" ]; then
    mkdir -p "$data/.backup"
    echo "$0: moving $data/$f to $data/.backup" >&2
    mv "$data/$f" "$data/.backup/" || exit 1
  fi
done

utils/validate_data_dir.sh --no-text --no-feats "$data" || exit 1

num_utts=$(wc -l < "$data/utt2spk")
if [ "$nj" -gt "$num_utts" ]; then
  echo "$0: $num_utts utterances: reducing --nj from $nj to $num_utts" >&2
  nj=$num_utts
fi

$cmd JOB=1:$nj "$logdir/make_${feature_type}_${name}.JOB.log" \
  python -m asr.bin.compute_feats --feature-type "$feature_type" --config "$feat_config" \
    --job JOB --num-jobs $nj "$data" "$featdir" || {
  echo "$0: computing features failed; errors in $logdir/make_${feature_type}_${name}.*.log:" >&2
  grep -h "error:" "$logdir"/make_"${feature_type}_${name}".*.log >&2
  exit 1
}

$cmd "$logdir/combine_${feature_type}_${name}.log" \
  python -m asr.bin.compute_feats --feature-type "$feature_type" --config "$feat_config" \
    --combine --num-jobs $nj "$data" "$featdir" || {
  echo "$0: combining the job outputs failed, see $logdir/combine_${feature_type}_${name}.log" >&2
  exit 1
}

utils/validate_data_dir.sh --no-text "$data" || exit 1

echo "$0: computed $feature_type features for $data ($num_utts utterances)" >&2
