# Shared by utils/run.pl and utils/slurm.pl (sourced): parsing of the Kaldi job-array
# interface "[JOB=1:N] <log-file> <command...>" and the body that runs one job.

# Sets job_var, job_start, job_end, log_template and the array cmd_args from "$@" (after
# the caller's own options).
parse_job_args() {
  job_var=""; job_start=1; job_end=1
  if [[ ${1:-} =~ ^([A-Za-z_][A-Za-z0-9_]*)=([0-9]+):([0-9]+)$ ]]; then
    job_var=${BASH_REMATCH[1]}; job_start=${BASH_REMATCH[2]}; job_end=${BASH_REMATCH[3]}; shift
  elif [[ ${1:-} =~ ^([A-Za-z_][A-Za-z0-9_]*)=([0-9]+)$ ]]; then
    job_var=${BASH_REMATCH[1]}; job_start=${BASH_REMATCH[2]}; job_end=$job_start; shift
  fi
  if [ $# -lt 2 ]; then
    return 1
  fi
  if [ "$job_start" -gt "$job_end" ]; then
    echo "$0: invalid job range $job_start:$job_end" >&2; exit 1
  fi
  log_template=$1; shift
  if [ -n "$job_var" ] && [[ $log_template != *"$job_var"* ]] && [ "$job_start" -ne "$job_end" ]; then
    echo "$0: the log file name must contain $job_var when running an array of jobs" >&2; exit 1
  fi
  cmd_args=("$@")
}

# The command line for job $1: arguments without white space are kept as they are (so an
# escaped \| or \> in the caller becomes a pipe or redirection, as in Kaldi), others quoted.
job_command() {
  local id=$1 arg out=""
  for arg in "${cmd_args[@]}"; do
    [ -n "$job_var" ] && arg=${arg//$job_var/$id}
    if [[ $arg =~ ^[^[:space:]]+$ ]]; then out+="$arg "; else out+="$(printf '%q' "$arg") "; fi
  done
  printf '%s' "${out% }"
}

job_log() {
  local id=$1
  if [ -n "$job_var" ]; then printf '%s' "${log_template//$job_var/$id}"; else printf '%s' "$log_template"; fi
}

# Runs job $1 with its output in its log file: command line, start time, end time and exit code.
run_one_job() {
  local id=$1 log cmd start rc
  log=$(job_log "$id")
  cmd=$(job_command "$id")
  mkdir -p "$(dirname "$log")"
  start=$(date +%s)
  {
    echo "# $cmd"
    echo "# Started at $(date)"
    echo "#"
  } > "$log"
  bash -o pipefail -c "$cmd" >> "$log" 2>&1 </dev/null
  rc=$?
  {
    echo "# Accounting: time=$(( $(date +%s) - start )) threads=1"
    echo "# Ended (code $rc) at $(date), elapsed time $(( $(date +%s) - start )) seconds"
  } >> "$log"
  return $rc
}

# Prints "k / n failed" for the jobs whose log does not end with code 0; returns 1 if any.
report_failures() {
  local id failed=0 first="" total=$(( job_end - job_start + 1 ))
  for id in $(seq "$job_start" "$job_end"); do
    if ! tail -n 1 "$(job_log "$id")" 2>/dev/null | grep -q '^# Ended (code 0)'; then
      failed=$((failed + 1)); [ -z "$first" ] && first=$(job_log "$id")
    fi
  done
  if [ $failed -gt 0 ]; then
    if [ "$total" -eq 1 ]; then
      echo "$0: job failed, log is in $first" >&2
    else
      echo "$0: $failed / $total failed, log is in $first" >&2
    fi
    return 1
  fi
}
