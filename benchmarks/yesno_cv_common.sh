# Helpers for the yes/no cross-validation benchmarks (sourced; needs $work).
run() { "$@" > $work/log/last.log 2>&1 || { cat $work/log/last.log >&2; exit 1; }; }
fbank() {  # <mfcc-data-dir> <dest>: the same utterances with fbank features and CMVN stats
  [ -f $2/feats.scp ] && return 0
  run utils/copy_data_dir.sh $1 $2
  rm -f $2/feats.scp $2/cmvn.scp $2/utt2num_frames
  run steps/make_fbank.sh --nj 2 --fbank-config conf/fbank.yaml $2 $work/log $(dirname $2)/fbank
  run steps/compute_cmvn_stats.sh $2 $work/log $(dirname $2)/fbank
}
