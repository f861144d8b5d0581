#!/usr/bin/env bash
# Alignments for a data dir combined with augmented copies of itself whose frames match
# the source's one for one (noise added at the same length: utils/make_noisy_data_dir.sh
# --id-prefix P; not speed perturbation, which changes the frame count): <dest-ali-dir>
# gets the source's model files and every *.scp of it with each entry repeated under each
# prefixed id, pointing at the same ark data (nothing copied), sorted. Training on
# clean + noisy copies with the clean alignments is Kaldi's way (e.g. its multi-condition
# recipes), better than aligning noisy audio with a model trained on clean audio.

echo "$0 $*" >&2

. utils/parse_options.sh || exit 1

if [ $# -lt 3 ]; then
  echo "Usage: $0 <src-ali-dir> <dest-ali-dir> <id-prefix> [<id-prefix>...]"
  echo "e.g.: $0 exp/mono_ali exp/mono_ali_noisy noise1-"
  exit 1
fi >&2

src=$1
dest=$2
shift 2
for prefix in "$@"; do
  [[ $prefix =~ ^[A-Za-z0-9._-]+$ ]] || { echo "$0: bad id prefix '$prefix' (letters, digits, . _ -)" >&2; exit 1; }
done
scps=$(ls $src/*.scp 2> /dev/null) || { echo "$0: no alignments (*.scp) in $src" >&2; exit 1; }
mkdir -p $dest || exit 1
[ $src -ef $dest ] && { echo "$0: source and destination are the same dir" >&2; exit 1; }

for f in $src/*; do
  case $f in *.scp|*.ark) ;; *) [ -f $f ] && { cp $f $dest/ || exit 1; } ;; esac
done
for scp in $scps; do
  name=$(basename $scp)
  { cat $scp; for prefix in "$@"; do sed "s|^|$prefix|" $scp; done; } | LC_ALL=C sort > $dest/.$name.tmp \
    && mv $dest/.$name.tmp $dest/$name || exit 1
done
echo "$0: each scp of $dest holds the $(wc -l < $scp) entries of $src $(( $# + 1 )) times" >&2
