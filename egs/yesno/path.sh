# The repository's environment (see ../../path.sh), found through the utils/ link so a
# copied recipe folder works as long as its utils/ link does.
. "$(cd -P "$(dirname "${BASH_SOURCE[0]}")/utils/.." && pwd)/path.sh"
