#!/usr/bin/env bash
# Gets the yes/no corpus (a local copy, verified against local/waves_yesno.sha256, or
# openslr.org's waves_yesno.tar.gz, downloaded into <download-dir>, safely extracted and
# verified) and writes the data dirs <data-dir>/train_yesno (the 31 files whose name
# starts with 0) and <data-dir>/test_yesno (the 29 starting with 1), as Kaldi's egs/yesno
# does. Data dirs already complete for the same corpus are skipped (<set>/.complete).

# Begin configuration section.
yesno_root=${YESNO_ROOT:-}  # local copy: folder holding waves_yesno/; empty: download
download_only=false      # true: only get and verify the corpus (stage 0)
# End configuration section.

echo "$0 $*" >&2
. utils/parse_options.sh || exit 1

if [ $# -ne 2 ]; then
  cat >&2 <<USAGE
Usage: $0 [options] <download-dir> <data-dir>
e.g.: $0 --yesno-root ../../../shared/corpora/yesno downloads data
Options:
  --download-only <true|false>  # only get and verify the corpus (default: false)
  --yesno-root <dir>   # local copy holding waves_yesno/ (default: \$YESNO_ROOT; empty: download)
USAGE
  exit 1
fi
download_dir=$1
data=$2

manifest=local/waves_yesno.sha256
for f in $manifest; do
  [ -f "$f" ] || { echo "$0: no such file $f (run this from the recipe folder)" >&2; exit 1; }
done
if [ -n "$yesno_root" ] && [ ! -d "$yesno_root/waves_yesno" ]; then
  echo "$0: $yesno_root/waves_yesno does not exist" \
    "(--yesno-root / \$YESNO_ROOT is the folder holding waves_yesno/)" >&2
  exit 1
fi

python -m asr.bin.prepare_yesno $([ "$download_only" = true ] && echo --download-only) ${yesno_root:+--yesno-root "$yesno_root"} \
  --download-dir "$download_dir" --manifest "$manifest" "$data" \
  || { echo "$0: preparing the yes/no data dirs failed" >&2; exit 1; }
