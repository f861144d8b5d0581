#!/usr/bin/env bash
# Gets FSDD v1.0.10 (a local copy, verified against local/fsdd_v1.0.10.sha256, or the
# official release tarball, downloaded into <download-dir>, safely extracted and
# verified) and writes the data dirs <data-dir>/{test,dev,train} (isolated digits;
# test = the official index 0-4, dev = 5-9, train = 10-49) and
# <data-dir>/{test_cd,dev_cd,train_cd} (connected digits, 2-7 per utterance).
# Data dirs already complete for the same inputs are skipped (<set>/.complete).

# Begin configuration section.
fsdd_root=${FSDD_ROOT:-}   # local copy: folder holding recordings/; empty: download
seed=0                     # seed of the connected-digit sets
cd_opts=                   # more options for the connected-digit sets, e.g. "--cd-max-pause 0.5"
download_only=false      # true: only get and verify the corpus (stage 0)
# End configuration section.

echo "$0 $*" >&2
. utils/parse_options.sh || exit 1

if [ $# -ne 2 ]; then
  cat >&2 <<USAGE
Usage: $0 [options] <download-dir> <data-dir>
e.g.: $0 --fsdd-root ../shared/corpora/fsdd downloads data
Options:
  --download-only <true|false>  # only get and verify the corpus (default: false)
  --fsdd-root <dir>    # local FSDD copy holding recordings/ (default: \$FSDD_ROOT; empty: download)
  --seed <int>         # seed of the connected-digit sets (default: $seed)
  --cd-opts <opts>     # options of python -m asr.bin.prepare_fsdd, e.g. "--cd-max-words 5"
USAGE
  exit 1
fi
download_dir=$1
data=$2

manifest=local/fsdd_v1.0.10.sha256
for f in $manifest; do
  [ -f "$f" ] || { echo "$0: no such file $f (run this from the recipe folder)" >&2; exit 1; }
done
if [ -n "$fsdd_root" ] && [ ! -d "$fsdd_root/recordings" ]; then
  echo "$0: $fsdd_root/recordings does not exist" \
    "(--fsdd-root / \$FSDD_ROOT is the folder holding recordings/)" >&2
  exit 1
fi

# shellcheck disable=SC2086
python -m asr.bin.prepare_fsdd $([ "$download_only" = true ] && echo --download-only) ${fsdd_root:+--fsdd-root "$fsdd_root"} \
  --download-dir "$download_dir" --manifest "$manifest" --seed "$seed" $cd_opts "$data" \
  || { echo "$0: preparing the FSDD data dirs failed" >&2; exit 1; }
