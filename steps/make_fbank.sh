#!/usr/bin/env bash
# Kaldi-compatible log-mel filterbank features for a data dir, in parallel jobs: Kaldi's
# interface over steps/make_feats.sh (see there for the job outputs and reruns).

# Begin configuration section.
nj=4
cmd=utils/run.pl
fbank_config=conf/fbank.yaml
# End configuration section.

echo "$0 $@" >&2

. utils/parse_options.sh || exit 1

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
  echo "Usage: $0 [options] <data-dir> [<log-dir> [<fbank-dir>]]"
  echo "Defaults: <log-dir> = <data-dir>/log, <fbank-dir> = <data-dir>/data."
  echo "e.g.: $0 --nj 4 data/train exp/make_fbank/train fbank"
  echo "Options:"
  echo "  --nj <nj>                    # number of parallel jobs (default: $nj)"
  echo "  --cmd <cmd>                  # how to run jobs, e.g. utils/run.pl (default: $cmd)"
  echo "  --fbank-config <yaml>        # feature config (default: $fbank_config)"
  exit 1
fi >&2

exec steps/make_feats.sh --feature-type fbank --feat-config "$fbank_config" --nj "$nj" --cmd "$cmd" "$@"
