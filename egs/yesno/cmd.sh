# How parallel jobs run. run.pl runs them on this machine; slurm.pl submits them as a
# Slurm job array through sbatch (set SLURM_OPTS for partition, account, ...), e.g.:
#   export train_cmd="slurm.pl --mem 4G"
export train_cmd="utils/run.pl"
export decode_cmd="utils/run.pl"
export feats_cmd="utils/run.pl"
