# lib.sh — a tiny harness for end-to-end tests: sourced by tests/e2e/test_*.sh.
# Each check prints "ok - NAME" or "not ok - NAME"; finish prints "N passed, M failed".
set -u
PASS=0
FAIL=0
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
AMBER=$(realpath "${AMBER:-$ROOT/bin/amber}")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/amber-e2e.XXXXXX")
# Servers a test started; the exit trap kills any still running.
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$WORK"' EXIT

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
# wait_exit PID: waits up to 10 s for PID to end and returns its status (124 and a kill when it
# does not end: a hang must fail the test, not stall it).
wait_exit() {
	for _ in $(seq 200); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -9 "$1"
		wait "$1" 2>/dev/null
		return 124
	fi
	wait "$1"
}
# start_server LOG COMMAND...: starts COMMAND (a server listening on 127.0.0.1:0) in the
# background, sets PID and PORT from amberd's start line in LOG (fails if the command ends first
# or says nothing within 10 s).
start_server() {
	local log=$1
	shift
	"$@" 2>"$log" &
	PID=$!
	PIDS+=("$PID")
	PORT=""
	for _ in $(seq 200); do
		PORT=$(sed -n 's/^amberd: serving .* on 127\.0\.0\.1:\([0-9]*\) with .*/\1/p' "$log")
		[ -n "$PORT" ] && break
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.05
	done
	[ -n "$PORT" ]
}
# check_stops NAME SIGNAL [TARGET]: sends SIGNAL to TARGET (default the server's PID), then the
# server must exit 0 within 10 s.
check_stops() {
	local name=$1 rc=0
	kill "-$2" "${3:-$PID}"
	wait_exit "$PID" || rc=$?
	if [ "$rc" -eq 0 ]; then ok "$name"; else not_ok "$name" "exit status $rc"; fi
}
# A TCP port on 127.0.0.1 that nothing listens on now (a connect attempt is refused).
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}
finish() { echo "$PASS passed, $FAIL failed"; [ "$FAIL" -eq 0 ]; }
