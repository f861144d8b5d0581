#!/usr/bin/env bash
# Build a lang dir from a dictionary dir, with Kaldi's interface (utils/prepare_lang.sh):
# phones.txt, words.txt, topo, L.fst, L_disambig.fst, oov.{txt,int} and phones/*.

# Begin configuration section.
position_dependent_phones=true   # word-position phones _B _E _I _S
num_sil_states=5                 # emitting HMM states of silence phones
num_nonsil_states=3              # emitting HMM states of other phones
sil_prob=0.5                     # probability of optional silence between words, [0, 1)
share_silence_phones=false       # all silence phones share one tree root
# End configuration section.

echo "$0 $@" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -ne 4 ]; then
  echo "Usage: $0 [options] <dict-dir> <oov-word> <tmp-dir> <lang-dir>"
  echo "<dict-dir> holds lexicon.txt (or lexiconp.txt), silence_phones.txt,"
  echo "nonsilence_phones.txt, optional_silence.txt and optionally extra_questions.txt."
  echo "e.g.: $0 local/dict \"<UNK>\" data/local/lang_tmp data/lang"
  echo "Options:"
  echo "  --position-dependent-phones (true|false)  # default: $position_dependent_phones"
  echo "  --num-sil-states <n>                      # default: $num_sil_states"
  echo "  --num-nonsil-states <n>                   # default: $num_nonsil_states"
  echo "  --sil-prob <p>                            # default: $sil_prob"
  echo "  --share-silence-phones (true|false)       # default: $share_silence_phones"
  exit 1
fi >&2

dict=$1
oov_word=$2
tmp=$3
dir=$4

for f in $dict/silence_phones.txt $dict/nonsilence_phones.txt $dict/optional_silence.txt; do
  [ ! -f $f ] && echo "$0: no such file $f" >&2 && exit 1
done
if [ ! -f $dict/lexicon.txt ] && [ ! -f $dict/lexiconp.txt ]; then
  echo "$0: no such file $dict/lexicon.txt (or $dict/lexiconp.txt)" >&2; exit 1
fi

python -m asr.bin.prepare_lang \
  --position-dependent-phones $position_dependent_phones \
  --num-sil-states $num_sil_states --num-nonsil-states $num_nonsil_states \
  --sil-prob $sil_prob --share-silence-phones $share_silence_phones \
  "$dict" "$oov_word" "$tmp" "$dir" \
  || { echo "$0: failed to build $dir from $dict" >&2; exit 1; }
