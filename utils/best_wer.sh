#!/usr/bin/env bash
# Print the %WER line with the lowest WER among the lines on stdin, in Kaldi's format.
# A "file:" prefix (from grep over several files) moves to the end of the line, e.g.
#   exp/mono/decode_test/wer:%WER 1.23 [ 4 / 325, 1 ins, 2 del, 1 sub ]
# is printed as
#   %WER 1.23 [ 4 / 325, 1 ins, 2 del, 1 sub ] exp/mono/decode_test/wer
# Only %WER lines compete (Kaldi's version also lets %SER lines win). On a tie the
# first line read wins. No %WER line on stdin is an error.

echo "$0 $@" >&2

. utils/parse_options.sh || exit 1

if [ $# -ne 0 ]; then
  echo "Usage: $0 < lines-from-wer-files"
  echo "e.g.: grep WER exp/*/decode_*/wer | $0"
  echo "e.g.: cat exp/mono/decode_test/wer | $0"
  exit 1
fi >&2

LC_ALL=C awk '
  {
    i = index($0, "%WER ");
    if (i == 0) next;
    split(substr($0, i + 5), f, " ");
    if (f[1] !~ /^[0-9]+(\.[0-9]+)?$/) next;
    if (best == "" || f[1] + 0 < best + 0) {
      best = f[1];
      prefix = substr($0, 1, i - 1);
      sub(/:[ \t]*$/, "", prefix);
      line = substr($0, i) (prefix == "" ? "" : " " prefix);
    }
  }
  END {
    if (best == "") { print "'"$0"': no %WER line on stdin" > "/dev/stderr"; exit 1 }
    gsub(/[ \t]+/, " ", line);
    sub(/ $/, "", line);
    print line;
  }'
