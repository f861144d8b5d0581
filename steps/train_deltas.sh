#!/usr/bin/env bash
# Train a triphone GMM-HMM (tri1) on deltas from the alignments of a previous model
# (Kaldi steps/train_deltas.sh): decision-tree clustering of triphone states up to
# <num-leaves> pdfs, then EM with realignment and Gaussian splitting up to <tot-gauss>.
# The tree is stored in <exp-dir>/final.mdl; per-iteration log-likelihoods go to
# <exp-dir>/log/train.log; final alignments to <exp-dir>/ali.{ark,scp} and pdf_ali.{ark,scp}.

# Begin configuration section.
cmd=utils/run.pl
num_iters=35       # training iterations
max_iter_inc=25    # last iteration that adds Gaussians
power=0.25         # Gaussians per pdf ~ occupancy ** power
realign_iters="10 20 30"
tree_thresh=300    # least log-likelihood gain of a tree split
tree_min_count=10  # fewest frames per tree leaf
beam=10
retry_beam=40
# End configuration section.

echo "$0 $@" >&2

[ -f ./path.sh ] && . ./path.sh  # the recipe's Python environment (Kaldi's convention)
. utils/parse_options.sh || exit 1

if [ $# -ne 6 ]; then
  echo "Usage: $0 [options] <num-leaves> <tot-gauss> <data-dir> <lang-dir> <ali-dir> <exp-dir>"
  echo "<data-dir> needs feats.scp, cmvn.scp and text; <ali-dir> ali.scp, final.mdl, hmm.yaml."
  echo "e.g.: $0 300 2000 data/mfcc/train data/lang exp/mono_ali exp/tri1"
  echo "Options:"
  echo "  --cmd <cmd>                # how to run the job (default: $cmd)"
  echo "  --num-iters <n>            # default: $num_iters"
  echo "  --realign-iters <list>     # default: \"$realign_iters\""
  echo "  --tree-thresh <gain>       # default: $tree_thresh"
  exit 1
fi >&2

num_leaves=$1
totgauss=$2
data=$3
lang=$4
alidir=$5
dir=$6

for f in $data/feats.scp $data/cmvn.scp $data/text $lang/L.fst $lang/topo $lang/phones/roots.int \
    $lang/phones/extra_questions.int $alidir/ali.scp $alidir/final.mdl $alidir/hmm.yaml; do
  [ ! -f $f ] && echo "$0: no such file $f" >&2 && exit 1
done

mkdir -p $dir/log || exit 1
rm -f $dir/log/train.log

$cmd $dir/log/train_tri.log \
  python -m asr.bin.train_tri --num-leaves $num_leaves --totgauss $totgauss \
    --num-iters $num_iters --max-iter-inc $max_iter_inc --power $power \
    --realign-iters "$realign_iters" --tree-thresh $tree_thresh \
    --tree-min-count $tree_min_count --beam $beam --retry-beam $retry_beam \
    $data $lang $alidir $dir \
  || { echo "$0: training failed, see $dir/log/train_tri.log" >&2; exit 1; }

grep -e "tree:" -e "iteration" $dir/log/train.log | sed -n '1p;$p' >&2
echo "$0: trained $dir/final.mdl" >&2
