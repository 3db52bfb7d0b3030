#!/usr/bin/env bash
# test_run.sh — `amber run` and `amber serve` end to end: an image built from the GeoNames sample
# as an OCI archive, a layout directory and a docker-archive, each run with no daemon on
# 127.0.0.1 and a free port and queried with curl; the cache (made once, reused, one entry for
# two concurrent runs, killed runs' leftovers swept), --no-cache (nothing left after SIGTERM,
# the server's status passed on), SIGTERM exiting 0, server args after --, tampered, incomplete
# and server-less images refused with the object named and nothing cached, a run as a non-root
# user, and `amber serve` on the database file. Every server started here is stopped here.
. "$(dirname "$0")/lib.sh"
SAMPLE=$ROOT/samples/geonames/cities500-extract.txt
SERVER=$ROOT/bin/amberd
cd "$WORK" || exit 1
ROWS=$(wc -l <"$SAMPLE")
export XDG_CACHE_HOME=$WORK/cache
mkdir -p tmp
export TMPDIR=$WORK/tmp

# answers PORT: /healthz is 200 and a count of the geoname table gives the sample's rows.
answers() {
	curl -sf "http://127.0.0.1:$1/healthz" >/dev/null &&
		curl -sf "http://127.0.0.1:$1/v1/query?sql=select%20count(*)%20from%20geoname" | grep -q "\[\[$ROWS\]\]"
}


# run_and_query NAME LOG COMMAND...: COMMAND serves the sample, answers, and SIGTERM stops it with 0.
run_and_query() {
	local name=$1 log=$2
	shift 2
	if start_server "$log" "$@"; then ok "$name: starts on a free port"; else
		not_ok "$name: starts on a free port" "$(head -c 600 "$log")"
		return
	fi
	check "$name: /healthz and the row count" answers "$PORT"
	check_stops "$name: SIGTERM drains and exits 0" TERM
}

"$AMBER" build -q --server "$SERVER" -f geonames "$SAMPLE" -o x.tar --docker-archive d.tar --db-out geo.db >digest.txt
"$AMBER" build -q --server "$SERVER" -f geonames "$SAMPLE" -o layout >/dev/null
KEY=$(sed 's/^sha256://' digest.txt)
DKEY=$(tar -xOf d.tar manifest.json | jq -r '.[0].Config | sub("\\.json$"; "")')
ENTRY=$XDG_CACHE_HOME/amber/$KEY

# --- the OCI archive, then the layout dir (same manifest digest: the cache is reused) ----------
run_and_query "oci archive" run1.log "$AMBER" run x.tar --listen 127.0.0.1:0
check "first run unpacks into the cache entry named by the manifest digest" grep -q "unpacked 2 layers .* into $ENTRY/rootfs" run1.log
check "the cache entry holds the image's server and database" test -x "$ENTRY/rootfs/amberd" -a -f "$ENTRY/rootfs/data/amber.db"
check "the unpacked database is the built one" cmp "$ENTRY/rootfs/data/amber.db" geo.db
check "file modes are kept" test "$(stat -c %a "$ENTRY/rootfs/amberd" "$ENTRY/rootfs/data/amber.db" | tr '\n' ' ')" = "555 444 "
check "the cache holds one entry and no temporary tree" only_files "$XDG_CACHE_HOME/amber" "$KEY"
check "the server runs the image's command, paths mapped" grep -q "^amber run: starting /amberd --db /data/amber.db --listen 127.0.0.1:0$" run1.log
check "the server reads the unpacked database" grep -q "^amberd: serving $ENTRY/rootfs/data/amber.db" run1.log
INODE=$(stat -c %i "$ENTRY/rootfs/data/amber.db")

run_and_query "layout dir" run2.log "$AMBER" run layout --listen 127.0.0.1:0
check "second run says it uses the cache" grep -q "^amber run: using cached $ENTRY/rootfs$" run2.log
check "second run unpacks nothing" bash -c "! grep -q unpacked run2.log && [ \$(stat -c %i '$ENTRY/rootfs/data/amber.db') = $INODE ]"

if start_server int.log "$AMBER" run x.tar --listen 127.0.0.1:0; then
	check_stops "Ctrl-C (SIGINT) drains and exits 0" INT
else
	not_ok "cached run starts again" "$(head -c 600 int.log)"
fi

# --- the docker-archive: no manifest digest, keyed by its config digest --------------------------
run_and_query "docker archive" run3.log "$AMBER" run d.tar --listen=127.0.0.1:0
check "a docker-archive is cached under its config digest" test -f "$XDG_CACHE_HOME/amber/$DKEY/rootfs/data/amber.db"
check "the cache holds both entries and nothing else" only_files "$XDG_CACHE_HOME/amber" "$KEY" "$DKEY"

# --- server args after -- replace the image's cmd --------------------------------------------
run_and_query "server args" run4.log "$AMBER" run x.tar --listen 127.0.0.1:0 -- --db=/data/amber.db --threads 1
check "server args reach the server, --flag=/path mapped" grep -q "^amberd: serving $ENTRY/rootfs/data/amber.db .* with 1 thread$" run4.log

# --- --no-cache: a temporary tree, removed when the server exits ------------------------------
if start_server nc.log "$AMBER" run --no-cache x.tar --listen 127.0.0.1:0; then
	ok "--no-cache: starts"
	check "--no-cache: answers" answers "$PORT"
	check "--no-cache: the tree is under TMPDIR while it runs" bash -c "ls -d '$TMPDIR'/amber-run-* | grep -q ."
	check "--no-cache: the cache is not touched" only_files "$XDG_CACHE_HOME/amber" "$KEY" "$DKEY"
	check_stops "--no-cache: SIGTERM is forwarded and the exit status is the server's 0" TERM
	check "--no-cache: nothing left behind" only_files "$TMPDIR"
else
	not_ok "--no-cache: starts" "$(head -c 600 nc.log)"
fi
if start_server nc2.log "$AMBER" run --no-cache x.tar --listen 127.0.0.1:0; then
	check_stops "--no-cache: SIGINT stops it with 0" INT
	check "--no-cache: nothing left after SIGINT" only_files "$TMPDIR"
else
	not_ok "--no-cache: starts again" "$(head -c 600 nc2.log)"
fi
check_fails "--no-cache: a server that fails passes on its status" "no-such.db" \
	"$AMBER" run --no-cache x.tar --listen 127.0.0.1:0 -- --db /no-such.db
check "--no-cache: nothing left after a failed server" only_files "$TMPDIR"

# --- two concurrent first runs: both serve, one entry ---------------------------------------
export XDG_CACHE_HOME=$WORK/cache-concurrent
"$AMBER" run x.tar --listen 127.0.0.1:0 2>c1.log &
P1=$!
PIDS+=("$P1")
"$AMBER" run x.tar --listen 127.0.0.1:0 2>c2.log &
P2=$!
PIDS+=("$P2")
for log in c1.log c2.log; do
	PORT=""
	for _ in $(seq 200); do
		PORT=$(sed -n 's/^amberd: serving .* on 127\.0\.0\.1:\([0-9]*\) with .*/\1/p' "$log")
		[ -n "$PORT" ] && break
		sleep 0.05
	done
	check "concurrent runs: $log answers" answers "${PORT:-0}"
done
kill -TERM "$P1" "$P2"
rc1=0 rc2=0
wait_exit "$P1" || rc1=$?
wait_exit "$P2" || rc2=$?
check "concurrent runs: both exit 0" test "$rc1$rc2" = 00
check "concurrent runs: one cache entry, no temporary tree left" only_files "$XDG_CACHE_HOME/amber" "$KEY"

# --- leftovers of a killed run are swept; a live run's are not --------------------------------
export XDG_CACHE_HOME=$WORK/cache-sweep
mkdir -p "$XDG_CACHE_HOME/amber/.tmp-killed-run/rootfs" "$XDG_CACHE_HOME/amber/.tmp-recent-run"
touch -d '2 hours ago' "$XDG_CACHE_HOME/amber/.tmp-killed-run"
run_and_query "sweep" sweep.log env AMBER_THREADS=1 "$AMBER" run x.tar --listen 127.0.0.1:0
check "AMBER_* variables reach the server" grep -q "with 1 thread$" sweep.log
check "an old unlocked temporary tree is removed, a recent one kept" only_files "$XDG_CACHE_HOME/amber" "$KEY" .tmp-recent-run

# --- interrupted while unpacking: no cache entry, no temporary tree -------------------------------
# A larger image, so that the unpack lasts long enough to be caught in the middle.
export XDG_CACHE_HOME=$WORK/cache-interrupted
seq 1 200000 | awk 'BEGIN { print "id,name,value" } { printf "%d,name %d,%d\n", $1, $1, $1 * 7 }' >big.csv
"$AMBER" build -q --server "$SERVER" --compression zstd big.csv -o big.tar >/dev/null
"$AMBER" run big.tar --listen 127.0.0.1:0 2>big.log &
PID=$!
PIDS+=("$PID")
for _ in $(seq 20000); do compgen -G "$XDG_CACHE_HOME/amber/.tmp-*/rootfs" >/dev/null && break; done
kill -TERM "$PID"
rc=0
wait_exit "$PID" || rc=$?
if grep -q "unpacked" big.log; then
	echo "ok - SIGTERM while unpacking # skip (the unpack finished first)"
else
	check "SIGTERM while unpacking: 143 and a message" bash -c "[ $rc = 143 ] && grep -q 'interrupted; temporary files removed' big.log"
	check "SIGTERM while unpacking: no cache entry, no temporary tree" only_files "$XDG_CACHE_HOME/amber"
fi

# --- broken images: named, exit 1, nothing in the cache ------------------------------------------
export XDG_CACHE_HOME=$WORK/cache-bad
LAYER2=$(jq -r '.layers[1].digest' "layout/blobs/sha256/$KEY" | sed 's/^sha256://')
cp -r layout tampered
chmod u+w "tampered/blobs/sha256/$LAYER2"
printf 'X' | dd of="tampered/blobs/sha256/$LAYER2" bs=1 seek=5000 conv=notrunc 2>/dev/null
check_fails "a tampered layer is refused and named" "tampered: layer 2 of 2 .*sha256.*altered" "$AMBER" run tampered --listen 127.0.0.1:0
check "a tampered image leaves no cache entry" only_files "$XDG_CACHE_HOME/amber"
cp -r layout missing
rm "missing/blobs/sha256/$LAYER2"
check_fails "a missing layer is refused and named" "missing: layer 2 of 2 .*missing" "$AMBER" run missing --listen 127.0.0.1:0
check "a missing layer leaves no cache entry" only_files "$XDG_CACHE_HOME/amber"

# A docker-archive whose first layer (the server) is replaced by an empty one.
mkdir noserver && tar -xf d.tar -C noserver
CFG=$(jq -r '.[0].Config' noserver/manifest.json)
L1=$(jq -r '.[0].Layers[0]' noserver/manifest.json)
tar -cf "noserver/$L1" --format=ustar -T /dev/null
NEW=sha256:$(sha256sum <"noserver/$L1" | cut -c1-64)
jq -c --arg d "$NEW" '.rootfs.diff_ids[0] = $d' "noserver/$CFG" >cfg.json
CH=$(sha256sum <cfg.json | cut -c1-64)
mv cfg.json "noserver/$CH.json" && rm "noserver/$CFG"
jq -c --arg c "$CH.json" '.[0].Config = $c' noserver/manifest.json >m.json && mv m.json noserver/manifest.json
tar -cf noserver.tar -C noserver .
check_fails "an image without /amberd is refused and named" "noserver.tar: /amberd: not in the image" "$AMBER" run noserver.tar --listen 127.0.0.1:0
check "an image without /amberd leaves no cache entry" only_files "$XDG_CACHE_HOME/amber"
check_fails "--no-cache: an image without /amberd is refused" "/amberd: not in the image" "$AMBER" run --no-cache noserver.tar --listen 127.0.0.1:0
check "--no-cache: nothing left after a refused image" only_files "$TMPDIR"
check_fails "a file that is not an image is refused" "geo.db" "$AMBER" run geo.db
check_fails "no IMAGE is a usage error" "give an IMAGE" "$AMBER" run --listen 127.0.0.1:0

# --- as a non-root user -------------------------------------------------------------------------
if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null && runuser -u nobody -- test -x "$AMBER"; then
	mkdir nobody && cp x.tar nobody/ && chown -R nobody nobody && chmod 711 "$WORK"
	# The shell records its pid and becomes amber (then amberd): SIGTERM goes to the server
	# itself, since runuser would re-raise a signal it was sent and exit 143.
	if start_server nobody.log runuser -u nobody -- env HOME="$WORK/nobody" XDG_CACHE_HOME="$WORK/nobody/cache" \
		TMPDIR="$WORK/nobody" sh -c 'echo $$ >"$0"; exec "$@"' "$WORK/nobody/pid" \
		"$AMBER" run "$WORK/nobody/x.tar" --listen 127.0.0.1:0; then
		ok "non-root: starts"
		check "non-root: /healthz and the row count" answers "$PORT"
		INNER=$(cat "$WORK/nobody/pid")
		PIDS+=("$INNER")
		check_stops "non-root: SIGTERM drains and exits 0" TERM "$INNER"
	else
		not_ok "non-root: starts" "$(head -c 600 nobody.log)"
	fi
	check "non-root: the cache belongs to the user" test "$(stat -c %U "$WORK/nobody/cache/amber/$KEY/rootfs/data/amber.db")" = nobody
	check "non-root: the user can remove the cache" runuser -u nobody -- rm -rf "$WORK/nobody/cache"
else
	echo "ok - non-root run # skip (not root, or no runuser, or nobody cannot reach $AMBER)"
fi

# --- amber serve --------------------------------------------------------------------------------
# serve runs the amberd beside amber: give the amber under test one (the sanitizer build has none).
mkdir -p bin lonely && cp "$AMBER" bin/amber && cp "$AMBER" lonely/amber && cp "$SERVER" bin/amberd
run_and_query "serve" serve.log bin/amber serve geo.db --listen 127.0.0.1:0
check "serve runs amberd on the file" grep -q "^amberd: serving geo.db (1 table)" serve.log
check_fails "serve refuses a missing database" "no-such.db" bin/amber serve no-such.db --listen 127.0.0.1:0
check_fails "serve names the amberd it cannot find" "lonely/amberd: .*beside amber" lonely/amber serve geo.db
check_fails "serve needs a DB" "give a DB" "$AMBER" serve

finish
