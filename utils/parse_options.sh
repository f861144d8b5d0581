# Kaldi-style option parsing; sourced by scripts after their configuration block:
#   . utils/parse_options.sh
# "--foo-bar value" (or "--foo-bar=value") sets the existing variable foo_bar; an unknown
# option is an error. A variable whose default is true/false only takes true/false.
# "--config file" sources a file of variable assignments. "--help" prints $help_message.
# Options stop at the first argument that does not start with "--".

while [ $# -gt 0 ]; do
  case "$1" in
    --help|-h)
      if [ -n "${help_message:-}" ]; then printf '%s\n' "$help_message"; else echo "$0: no help message" >&2; fi
      exit 0 ;;
    --*=*) __opt=${1%%=*}; __val=${1#*=}; shift ;;
    --*)
      __opt=$1
      if [ $# -lt 2 ]; then echo "$0: option $__opt needs a value" >&2; exit 1; fi
      __val=$2; shift 2 ;;
    *) break ;;
  esac
  __name=${__opt#--}
  __name=${__name//-/_}
  if ! [[ $__name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
    echo "$0: invalid option $__opt" >&2; exit 1
  fi
  if [ "$__name" = config ]; then
    if [ ! -f "$__val" ]; then echo "$0: config file $__val does not exist" >&2; exit 1; fi
    # shellcheck disable=SC1090
    . "$__val" || { echo "$0: error sourcing config file $__val" >&2; exit 1; }
    continue
  fi
  if [ -z "${!__name+set}" ]; then
    echo "$0: invalid option $__opt (no variable $__name in this script)" >&2; exit 1
  fi
  case "${!__name}" in
    true|false)
      case "$__val" in
        true|false) ;;
        *) echo "$0: option $__opt takes true or false, got '$__val'" >&2; exit 1 ;;
      esac ;;
  esac
  printf -v "$__name" '%s' "$__val"
done
unset __opt __val __name
true
