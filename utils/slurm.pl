#!/usr/bin/env bash
# run.pl's interface on a Slurm cluster (written in bash): submits the jobs as one job
# array through sbatch, waits for it, and checks every job's log like run.pl does.
#   utils/slurm.pl [options] [JOB=1:N] <log-file> <command...>
# Options: --mem 4G, --num-threads N (cpus per task), --gpu N, --time 4:00:00,
# --max-jobs-run N (array throttle). Extra sbatch options (partition, account, ...) come
# from $SLURM_OPTS, e.g. export SLURM_OPTS="--partition=cpu --account=asr".

mem=""; num_threads=1; gpu=0; time_limit=""; max_jobs_run=0
usage="Usage: $0 [--mem 4G] [--num-threads N] [--gpu N] [--time T] [--max-jobs-run N] [JOB=1:N] <log-file> <command...>
e.g.: $0 --mem 4G JOB=1:8 exp/log/decode.JOB.log python -m asr.bin.decode --job JOB ..."

while [ $# -gt 0 ]; do
  case "$1" in
    --mem) mem=$2; shift 2 ;;
    --num-threads) num_threads=$2; shift 2 ;;
    --gpu) gpu=$2; shift 2 ;;
    --time) time_limit=$2; shift 2 ;;
    --max-jobs-run) max_jobs_run=$2; shift 2 ;;
    --config) shift 2 ;;
    --*) echo "$0: unknown option $1" >&2; echo "$usage" >&2; exit 1 ;;
    *) break ;;
  esac
done

lib=$(cd "$(dirname "${BASH_SOURCE[0]}")/parallel" && pwd)/job_lib.sh
. "$lib"
parse_job_args "$@" || { echo "$usage" >&2; exit 1; }
command -v sbatch >/dev/null || { echo "$0: sbatch not found: is this a Slurm machine? (use run.pl locally)" >&2; exit 1; }

qdir=$(dirname "$(job_log "$job_start")")/q
mkdir -p "$qdir"
script=$qdir/$(basename "$log_template" .log | tr -c 'A-Za-z0-9_.\n-' '_').sh
{
  echo "#!/usr/bin/env bash"
  echo "cd $(printf '%q' "$PWD")"
  echo ". $(printf '%q' "$lib")"
  declare -p job_var job_start job_end log_template cmd_args
  echo 'run_one_job "${SLURM_ARRAY_TASK_ID:?not run as a Slurm array task}"'
} > "$script"

opts=(--wait --parsable --job-name="$(basename "$script" .sh)" --output=/dev/null
      --array="$job_start-$job_end$([ "$max_jobs_run" -gt 0 ] && echo "%$max_jobs_run")"
      --cpus-per-task="$num_threads")
[ -n "$mem" ] && opts+=(--mem="$mem")
[ "$gpu" -gt 0 ] && opts+=(--gres="gpu:$gpu")
[ -n "$time_limit" ] && opts+=(--time="$time_limit")
# shellcheck disable=SC2206
[ -n "${SLURM_OPTS:-}" ] && opts+=($SLURM_OPTS)

sbatch "${opts[@]}" "$script" > "$qdir/$(basename "$script" .sh).sbatch.out" 2>&1
sbatch_rc=$?
report_failures || exit 1
if [ $sbatch_rc -ne 0 ]; then
  echo "$0: sbatch exited with $sbatch_rc, see $qdir/$(basename "$script" .sh).sbatch.out" >&2; exit 1
fi
exit 0
