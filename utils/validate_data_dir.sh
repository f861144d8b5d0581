#!/usr/bin/env bash
# Check a data dir (Kaldi's rules): sorted, unique keys; field counts; newlines; UTF-8 and
# printable text; utt2spk/spk2utt/text/segments/wav.scp/feats.scp... key sets; segment
# times; audio files that exist (pipes are parsed, never run). Every problem is printed
# with its file and line; exit 1 if there is any. The checks are in asr/data/validate.py.
# Options take no value, as in Kaldi. feats.scp is checked when present and never required
# here (--no-feats is accepted for compatibility with Kaldi recipes).

opts=()
echo "$0 $*" >&2
[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)

while [ $# -gt 0 ]; do
  case "$1" in
    --no-feats|--no-text|--no-wav|--no-spk-sort|--non-print) opts+=("$1"); shift ;;
    --*) echo "$0: unknown option $1" >&2; exit 1 ;;
    *) break ;;
  esac
done

if [ $# -ne 1 ]; then
  echo "Usage: $0 [--no-feats] [--no-text] [--no-wav] [--no-spk-sort] [--non-print] <data-dir>"
  echo "--no-text, --no-wav: do not require the file, but check it when present."
  echo "--no-spk-sort: do not require utt2spk to be sorted by speaker as well as by utterance"
  echo "  (make speaker ids prefixes of utterance ids to satisfy it)."
  echo "--non-print: allow non-printable characters in text."
  echo "e.g.: $0 --no-feats data/train"
  exit 1
fi >&2

data=$1
if [ ! -d "$data" ]; then
  echo "$0: no such directory $data" >&2
  exit 1
fi

exec python -m asr.bin.validate_data_dir "${opts[@]}" "$data"
