#!/usr/bin/env bash
# Make a noisy copy of a data dir, to measure a model in noise (or to train on): the same
# utterance ids, speakers and text; each utterance's audio with noise at --snr dB (measured
# on the waveform over the whole utterance), written to <dest-data-dir>/wav/. The noise is
# white, pink or brown, or recordings from a wav.scp (--noise scp --noise-scp FILE; with
# --num-mix 3 or more speech recordings, babble). Draws come from --seed and each id, so a
# rerun writes the same audio. Features and CMVN are not carried. The result is validated.
# --id-prefix noise1- renames every utterance and speaker (the audio stays the same), so
# the copy can be combined with its source for training (utils/augment_ali_dir.sh gives
# the copy the source's alignments). --rt60 0.6 reverberates the speech first with a
# synthetic room impulse response (RT60 in seconds, --drr its direct-to-reverberant ratio in
# dB), as in a room; --noise none then gives reverberation alone.

# Begin configuration section.
snr=10          # signal-to-noise ratio, dB
noise=white     # white|pink|brown|scp|none
noise_scp=      # wav.scp of the noise recordings (--noise scp)
num_mix=1       # noise recordings summed per utterance
seed=0
sample_rate=8000
rt60=0          # reverberation time of a synthetic room, s; 0: none
drr=0           # its direct-to-reverberant energy ratio, dB
id_prefix=      # before every utterance and speaker id, e.g. noise1- (to combine with the source)
# End configuration section.

echo "$0 $*" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -ne 2 ]; then
  echo "Usage: $0 [options] <src-data-dir> <dest-data-dir>"
  echo "e.g.: $0 --snr 5 --noise pink data/test data/test_pink5"
  echo "      $0 --noise none --rt60 0.6 --drr 0 data/test data/test_rev"
  echo "      $0 --noise scp --noise-scp data/other_corpus/wav.scp --num-mix 3 data/test data/test_babble10"
  echo "Options:"
  echo "  --snr <db>              # signal-to-noise ratio (default: $snr)"
  echo "  --noise <kind>          # white|pink|brown|scp|none (default: $noise)"
  echo "  --noise-scp <file>      # wav.scp of noise recordings, for --noise scp"
  echo "  --num-mix <n>           # noise recordings summed per utterance (default: $num_mix)"
  echo "  --seed <n>              # default: $seed"
  echo "  --sample-rate <hz>      # rate of the written audio (default: $sample_rate)"
  echo "  --rt60 <s>              # reverberation time of a synthetic room; 0: none (default: $rt60)"
  echo "  --drr <db>              # its direct-to-reverberant energy ratio (default: $drr)"
  echo "  --id-prefix <p>         # prefix of utterance and speaker ids, e.g. noise1- (default: none)"
  exit 1
fi >&2

src=$1
dest=$2
for f in $src/wav.scp $src/utt2spk ${noise_scp:+$noise_scp}; do
  if [ ! -f "$f" ]; then
    echo "$0: no such file $f" >&2
    exit 1
  fi
done

exec python -m asr.bin.make_noisy_data_dir --snr "$snr" --noise "$noise" ${noise_scp:+--noise-scp "$noise_scp"} \
  --num-mix "$num_mix" --seed "$seed" --sample-rate "$sample_rate" --rt60 "$rt60" --drr "$drr" ${id_prefix:+--id-prefix "$id_prefix"} "$src" "$dest"
