#!/usr/bin/env bash
# Train an end-to-end (CTC / attention) model; writes a self-contained model dir:
# config.yaml (resolved), units.txt (+ bpe.model), cmvn_global.mat (cmvn: global), epoch-N.pt,
# best-valid.pt, final.pt (average of the last epochs), last.pt (resume state), curves.png,
# log/train.log. Rerunning resumes from <exp-dir>/last.pt exactly.
# A model with a wav2vec2/HuBERT front end (conf/model/conformer_wav2vec2.yaml) trains on
# the data dirs' audio (wav.scp) instead of feats.scp; a frozen front end's weights stay
# in its checkpoint file, which the model dir refers to by path.
# --config names the YAML config (model keys, optional train:/units:/cmvn: sections); it is
# taken here, not sourced as a shell file like other scripts' --config.
# --speed-perturb true trains on <train-data>_sp: the data plus 0.9x and 1.1x copies
# (utils/perturb_data_dir_speed.sh, utils/combine_data.sh, features with the training
# data's own conf/feats.yaml, CMVN stats), built once and reused. cmvn: speaker (in
# the config) needs cmvn.scp in the training and dev dirs (steps/compute_cmvn_stats.sh).
# --nproc N > 1 runs N processes with torchrun (DDP: gloo on CPU, nccl on GPUs). For several
# machines run this script on each with --torchrun-opts "--nnodes 2 --node-rank R
# --rdzv-backend c10d --rdzv-endpoint HOST:29400" (same exp dir on shared storage).

# Begin configuration section.
cmd=utils/run.pl
nj=4
speed_perturb=false
nproc=1
torchrun_opts=
device=
num_threads=1
train_opts=          # e.g. "--set train.max_epochs=10 --set units.type=bpe"
# End configuration section.

echo "$0 $@" >&2

config=
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --config) config=$2; shift 2 ;;
    --config=*) config=${1#--config=}; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
set -- "${args[@]}"

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -ne 3 ] || [ -z "$config" ]; then
  echo "Usage: $0 [options] --config <model-yaml> <train-data> <dev-data> <exp-dir>"
  echo "e.g.: $0 --config conf/model/conformer_ctc.yaml data/fbank/train data/fbank/dev exp/conformer_ctc"
  echo "Options:"
  echo "  --config <yaml>          # model + train config (required)"
  echo "  --speed-perturb <bool>   # add 0.9x/1.1x copies of the training data (default: $speed_perturb)"
  echo "  --nj <nj>                # feature jobs for speed perturbation (default: $nj)"
  echo "  --cmd <cmd>              # how to run those jobs (default: $cmd)"
  echo "  --nproc <n>              # DDP processes (GPUs) on this machine (default: $nproc)"
  echo "  --torchrun-opts <opts>   # extra torchrun options, e.g. for several nodes"
  echo "  --device <cpu|cuda>      # default: CUDA when available"
  echo "  --num-threads <n>        # torch CPU threads per process (default: $num_threads)"
  echo "  --train-opts <opts>      # extra options of asr.bin.train_e2e, e.g. '--set train.lr=1e-3'"
  exit 1
fi >&2

train=$1
dev=$2
dir=$3

for f in "$config" "$train/text" "$dev/text"; do
  [ ! -f "$f" ] && echo "$0: no such file $f" >&2 && exit 1
done
# features (feats.scp, conf/feats.yaml), or audio for a wav2vec2/HuBERT front end (frontend: in the config)
for d in "$train" "$dev"; do
  [ ! -f "$d/feats.scp" ] && [ ! -f "$d/wav.scp" ] && echo "$0: $d has neither feats.scp nor wav.scp" >&2 && exit 1
done

if [ "$speed_perturb" = true ]; then
  utils/perturb_data_dir_speed_3way.sh --cmd "$cmd" --nj $nj "$train" "${train}_sp" || exit 1
  train=${train}_sp
fi

mkdir -p "$dir/log" || exit 1
opts=(--config "$config" --num-threads "$num_threads" ${device:+--device "$device"})
if [ "$nproc" -gt 1 ] || [ -n "$torchrun_opts" ]; then
  # shellcheck disable=SC2086
  python -m torch.distributed.run --nproc-per-node "$nproc" $torchrun_opts -m asr.bin.train_e2e \
    "${opts[@]}" $train_opts "$train" "$dev" "$dir" || { echo "$0: training failed, see $dir/log/train.log" >&2; exit 1; }
else
  # shellcheck disable=SC2086
  python -m asr.bin.train_e2e "${opts[@]}" $train_opts "$train" "$dev" "$dir" \
    || { echo "$0: training failed, see $dir/log/train.log" >&2; exit 1; }
fi
echo "$0: trained $dir (final.pt, best-valid.pt; curves in $dir/curves.png)" >&2
