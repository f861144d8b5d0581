#!/usr/bin/env bash
# Kaldi-compatible MFCC features for a data dir, in parallel jobs: Kaldi's
# interface over steps/make_feats.sh (see there for the job outputs and reruns).

# Begin configuration section.
nj=4
cmd=utils/run.pl
mfcc_config=conf/mfcc.yaml
# End configuration section.

echo "$0 $@" >&2

. utils/parse_options.sh || exit 1

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
  echo "Usage: $0 [options] <data-dir> [<log-dir> [<mfcc-dir>]]"
  echo "Defaults: <log-dir> = <data-dir>/log, <mfcc-dir> = <data-dir>/data."
  echo "e.g.: $0 --nj 4 data/train exp/make_mfcc/train mfcc"
  echo "Options:"
  echo "  --nj <nj>                    # number of parallel jobs (default: $nj)"
  echo "  --cmd <cmd>                  # how to run jobs, e.g. utils/run.pl (default: $cmd)"
  echo "  --mfcc-config <yaml>         # feature config (default: $mfcc_config)"
  exit 1
fi >&2

exec steps/make_feats.sh --feature-type mfcc --feat-config "$mfcc_config" --nj "$nj" --cmd "$cmd" "$@"
