# lib.sh — a tiny harness for end-to-end tests: sourced by tests/e2e/test_*.sh.
# Each check prints "ok - NAME" or "not ok - NAME"; finish prints "N passed, M failed".
set -u
PASS=0
FAIL=0
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
AMBER=$(realpath "${AMBER:-$ROOT/bin/amber}")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/amber-e2e.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

ok() { PASS=$((PASS + 1)); echo "ok - $1"; }
not_ok() { FAIL=$((FAIL + 1)); echo "not ok - $1"; [ -n "${2:-}" ] && printf '  %s\n' "$2"; return 0; }
# check NAME COMMAND...: passes when COMMAND exits 0.
check() { local name=$1; shift; if "$@" >"$WORK/.out" 2>&1; then ok "$name"; else not_ok "$name" "$(head -c 600 "$WORK/.out")"; fi; }
# check_fails NAME PATTERN COMMAND...: passes when COMMAND exits non-zero and its stderr matches PATTERN (grep -E).
check_fails() {
	local name=$1 pattern=$2; shift 2
	if "$@" >"$WORK/.out" 2>"$WORK/.err"; then not_ok "$name" "exited 0"; return; fi
	if grep -Eq -- "$pattern" "$WORK/.err"; then ok "$name"; else not_ok "$name" "stderr: $(head -c 600 "$WORK/.err")"; fi
}
# Nothing but the expected files in a directory: no temporary leftovers.
only_files() {
	local dir=$1 want=""; shift
	[ $# -gt 0 ] && want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	[ "$(cd "$dir" && ls -A | sort | tr '\n' ' ')" = "$want" ]
}
finish() { echo "$PASS passed, $FAIL failed"; [ "$FAIL" -eq 0 ]; }
