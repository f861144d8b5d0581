#!/usr/bin/env bash
# Make an ensemble dir of end-to-end CTC model dirs (e.g. the same config trained with
# several seeds): <ensemble-dir>/members lists them. steps/decode.sh decodes it like a model
# dir (ctc_prefix_beam: the members' n-best pooled, the hypothesis with the highest summed
# CTC log-likelihood kept); results land in <ensemble-dir>/decode_*, a system of its own in
# exp/RESULTS.md. The members must have the same units.

echo "$0 $*" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -lt 3 ]; then
  echo "Usage: $0 <ensemble-dir> <model-dir> <model-dir> [<model-dir>...]"
  echo "e.g.: $0 exp/conformer_ctc_ens3 exp/conformer_ctc exp/conformer_ctc_seed1 exp/conformer_ctc_seed2"
  exit 1
fi >&2

python -m asr.bin.make_ensemble_dir "$@"
