#!/usr/bin/env bash
# Kaldi's run.pl interface (written in bash): run a command, or an array of jobs, on this
# machine, each job's output in its own log file.
#   utils/run.pl [--max-jobs-run N] [JOB=1:N] <log-file> <command...>
# Every occurrence of JOB in the log file name and the command becomes the job number.
# Each log holds the command line, start time, end time and exit code. If any job fails
# it prints "k / n failed, log is in ..." and exits 1.
# Options accepted for compatibility with queue/slurm scripts and ignored here:
# --mem, --num-threads, --gpu, --time, --config.

max_jobs_run=0   # 0: all jobs at once
usage="Usage: $0 [--max-jobs-run N] [JOB=1:N] <log-file> <command...>
e.g.: $0 JOB=1:4 exp/log/make_fbank.JOB.log python -m asr.bin.compute_feats --job JOB --num-jobs 4 ..."

while [ $# -gt 0 ]; do
  case "$1" in
    --max-jobs-run) max_jobs_run=$2; shift 2 ;;
    --mem|--num-threads|--gpu|--time|--config) shift 2 ;;
    --*) echo "$0: unknown option $1" >&2; echo "$usage" >&2; exit 1 ;;
    *) break ;;
  esac
done

. "$(dirname "${BASH_SOURCE[0]}")/parallel/job_lib.sh"
parse_job_args "$@" || { echo "$usage" >&2; exit 1; }

for id in $(seq "$job_start" "$job_end"); do
  if [ "$max_jobs_run" -gt 0 ]; then
    while [ "$(jobs -rp | wc -l)" -ge "$max_jobs_run" ]; do wait -n; done
  fi
  run_one_job "$id" &
done
wait
report_failures || exit 1
exit 0
