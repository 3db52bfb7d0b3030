#!/usr/bin/env bash
# test-runtimes.sh [--quick] — proves that real third-party consumers accept the images that
# `amber build` writes without any daemon: it builds the GeoNames sample into every output form,
# then hands them to skopeo, umoci, oci-image-tool (quick set, no daemons: what CI runs through
# tests/e2e/test_consumers.sh) and, by default, also to runc, podman, containerd/ctr, dockerd and
# a local distribution registry (full set: `make test-runtimes`, needs root).
#
# Every daemon is private: its own state under one temp dir, unix sockets there or a free port on
# 127.0.0.1. The script stops them itself, by PID, and undoes what the tools write outside their
# own directories (the list in ../shared/notes/containers.md §9), also on failure or Ctrl-C.
# A tool that is not installed gives SKIP lines, not failures.
# Output: one "ok - " / "FAIL - " / "SKIP - " line per check; the last line is "N passed, M failed".
set -uo pipefail

QUICK=0
for arg in "$@"; do
	case $arg in
	--quick) QUICK=1 ;;
	-h | --help)
		sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "test-runtimes.sh: unknown option $arg (try --help)" >&2
		exit 2
		;;
	esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
AMBER=${AMBER:-$ROOT/bin/amber} # tests/run.sh passes the sanitizer build this way
AMBERD=$ROOT/bin/amberd
SAMPLE=$ROOT/samples/geonames/cities500-extract.txt
for f in "$AMBER" "$AMBERD"; do
	[ -x "$f" ] || { echo "test-runtimes.sh: $f is missing: run 'make all' first" >&2; exit 2; }
done
for t in jq sha256sum timeout; do
	command -v $t >/dev/null || { echo "test-runtimes.sh: $t is missing (scripts/deps.sh installs it)" >&2; exit 2; }
done

REF=localhost/amber-test:1  # the ref.name written into index.json
ZREF=localhost/amber-zstd:1 # the zstd image's
TAG=amber-rt-$$             # container names and ids
NS=amber-rt                 # containerd namespace (also its cgroup dir name)
TO="timeout 60"             # every command that could hang runs under this
IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1
T=$(mktemp -d "${TMPDIR:-/tmp}/amber-rt.XXXXXX")
T=$(cd "$T" && pwd -P)

PASS=0
FAIL=0
declare -A USED=()    # consumer -> 1 when at least one of its checks ran
declare -A SKIPPED=() # consumer -> why it was skipped

ok() { PASS=$((PASS + 1)); echo "ok - $1"; }
fail() {
	FAIL=$((FAIL + 1))
	echo "FAIL - $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | head -c 1200 | sed 's/^/    /'
	return 0
}
skip() { echo "SKIP - $1"; }
# check NAME COMMAND...: passes when COMMAND exits 0.
check() {
	local name=$1; shift
	if "$@" >"$T/.out" 2>&1; then ok "$name"; else fail "$name" "$(cat "$T/.out")"; fi
}
# check_fails NAME PATTERN COMMAND...: passes when COMMAND exits non-zero and its output
# (stdout and stderr) matches PATTERN (grep -E). For the defects a consumer must refuse.
check_fails() {
	local name=$1 pattern=$2; shift 2
	if "$@" >"$T/.out" 2>&1; then fail "$name" "exited 0 (it should have refused): $(cat "$T/.out")"; return; fi
	if grep -Eq -- "$pattern" "$T/.out"; then ok "$name"; else fail "$name" "wrong error (want /$pattern/): $(cat "$T/.out")"; fi
}
# eq NAME WANT GOT: passes when the two strings are equal.
eq() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want: $2"$'\n'"got:  $3"; fi; }
have() { command -v "$1" >/dev/null 2>&1; }
# need CONSUMER TOOL...: true when every TOOL is installed; otherwise one SKIP line for CONSUMER.
need() {
	local who=$1 t; shift
	for t in "$@"; do
		if ! have "$t"; then
			case $t in
			skopeo | umoci | oci-image-tool | curl) skip "$who: $t is not installed (scripts/deps.sh installs it)" ;;
			*) skip "$who: $t is not installed (scripts/deps.sh --runtimes installs it)" ;;
			esac
			SKIPPED[$who]="$t not installed"
			return 1
		fi
	done
	USED[$who]=1
}
need_root() {
	[ $IS_ROOT -eq 1 ] && return 0
	skip "$1: needs root (it creates namespaces, cgroups and mounts)"
	SKIPPED[$1]="needs root"
	unset "USED[$1]"
	return 1
}
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 30000))
		# Nothing answers a connect → nobody listens there.
		(exec 5<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo $p; return; }
	done
}
sha() { sha256sum "$1" | cut -d' ' -f1; }

# --- the host state the tools touch outside their own directories (notes §9) -----------------
# Fixed places, deepest first: a directory that was not there before is removed when empty, and
# the few files the tools are known to drop there are deleted when they are new.
FIXED_DIRS=(/run/mount /run/runc /run/crun /run/libpod /run/containers/networks /run/containers
	/run/containerd/s /run/containerd/fifo "/run/containerd/runc/$NS" /run/containerd/runc
	/run/containerd /run/docker/plugins /run/docker /run/netns
	/etc/docker /etc/containers/networks /etc/cni/net.d /etc/cni
	/var/lib/containers/cache /var/lib/containers /var/cache/containers
	/opt/containerd/bin /opt/containerd/lib /opt/containerd)
FIXED_FILES=(/run/mount/utab /run/mount/utab.lock /etc/docker/key.json /etc/containers/networks/netavark.lock /etc/cni/net.d/cni.lock
	/var/lib/containers/cache/blob-info-cache-v1.boltdb
	/var/cache/containers/short-name-aliases.conf.lock)
# Cgroups are named after what made them: dockerd ("docker"), podman ("libpod_parent"),
# containerd (its namespace) and runc (the container id).
cgroup_dirs() {
	local c
	for c in /sys/fs/cgroup /sys/fs/cgroup/*/; do
		c=${c%/}
		[ -d "$c" ] || continue
		find "$c" -mindepth 1 -maxdepth 1 -type d \( -name docker -o -name libpod_parent -o -name "$NS" -o -name "$TAG*" \) \
			-exec find {} -type d \; 2>/dev/null
	done
}
host_state() {
	{
		find /run -mindepth 1 -maxdepth 1 2>/dev/null
		find "${FIXED_DIRS[@]}" -maxdepth 2 2>/dev/null
		cgroup_dirs
	} | sort -u
}
declare -A EXISTED=()
for p in "${FIXED_DIRS[@]}" "${FIXED_FILES[@]}"; do [ -e "$p" ] && EXISTED[$p]=1; done
cgroup_dirs | sort -u >"$T/cgroups.before"
host_state >"$T/host.before"

# Daemons and servers this script started: name -> PID. They run under setsid (which, in a
# background job of a script, execs in place, so $! is the daemon): a Ctrl-C then reaches only
# the script, whose trap stops them in order, instead of killing them under a running client.
declare -A DAEMONS=()
stop_pid() { # stop_pid PID: TERM, up to 20 s, then KILL; reaps it when it is our child
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}
stop_daemon() {
	local name=$1 pid=${DAEMONS[$1]:-} child
	[ -n "$pid" ] || return 0
	# dockerd runs its own containerd; note it so that it is stopped even if dockerd dies first.
	child=$(pgrep -P "$pid" 2>/dev/null | tr '\n' ' ')
	stop_pid "$pid"
	for c in $child; do kill -0 "$c" 2>/dev/null && stop_pid "$c"; done
	unset "DAEMONS[$name]"
}

TORN_DOWN=0
teardown() {
	[ $TORN_DOWN -eq 1 ] && return
	TORN_DOWN=1
	local name pid m d f
	# Runtimes first, while their daemons still answer, then the daemons.
	[ -n "${DOCKER_SOCK:-}" ] && [ -S "$DOCKER_SOCK" ] && $TO docker -H "unix://$DOCKER_SOCK" rm -f "$TAG-c" "$TAG-none" "$TAG-host" "$TAG-da" >/dev/null 2>&1
	[ -n "${RUNC_STATE:-}" ] && [ -d "$RUNC_STATE" ] && $TO runc --root "$RUNC_STATE" delete -f "$TAG-runc" >/dev/null 2>&1
	[ -n "${PODMAN_ARGS:-}" ] && $TO podman "${PODMAN[@]}" rm -f -a >/dev/null 2>&1
	for name in "${!DAEMONS[@]}"; do stop_daemon "$name"; done
	# Anything still running with our temp dir on its command line (a containerd shim, conmon,
	# a runtime client) is ours: stop it by PID.
	for pid in $(pgrep -f -- "$T/" 2>/dev/null); do [ "$pid" != $$ ] && stop_pid "$pid"; done
	# Mounts left under the temp dir (dockerd's netns nsfs mount, a data-root bind mount).
	for m in $(awk -v t="$T/" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	# New files the tools are known to leave in fixed places, then new (empty) fixed directories.
	# (Only root's tools write there, and only root may look into some of them.)
	if [ $IS_ROOT -eq 1 ]; then
		for f in "${FIXED_FILES[@]}"; do [ -z "${EXISTED[$f]:-}" ] && rm -f "$f"; done
		for d in "${FIXED_DIRS[@]}"; do
			[ -z "${EXISTED[$d]:-}" ] && [ -d "$d" ] && rmdir "$d" 2>/dev/null
		done
	fi
	# New cgroups of ours, deepest first (rmdir fails on one that still has a process).
	cgroup_dirs | sort -u | comm -13 "$T/cgroups.before" - | sort -r | while read -r d; do rmdir "$d" 2>/dev/null; done
	return 0
}
on_exit() {
	teardown
	rm -rf "$T"
}
trap on_exit EXIT
exec 3>&2 # the trap's message must reach the terminal even when a check redirects stderr
trap 'echo "test-runtimes.sh: interrupted" >&3; exit 130' INT TERM

# --- check_server_started ----------------------------------------------------------------------
# check_server_started NAME PORT STOP_FUNCTION COMMAND...
# Runs COMMAND (a container run in the foreground) in the background and waits for the image's
# /amberd to serve. With a PORT, COMMAND must use host networking and pass
# "--db /data/amber.db --listen 127.0.0.1:PORT" as the image Cmd; the check passes once
# GET /healthz answers 2xx there and a query over the database returns the sample's row count.
# With no PORT (a container without network), it passes when the process is still up after 3 s.
# A server that exits, or never answers within 30 s, fails the check.
# Then it calls STOP_FUNCTION (which kills the container) and waits for COMMAND to end.
check_server_started() {
	local name=$1 port=$2 stop=$3; shift 3
	local log=$T/run.$RANDOM.log pid rc outcome start=$SECONDS count=""
	"$@" >"$log" 2>&1 &
	pid=$!
	while :; do
		if ! kill -0 $pid 2>/dev/null; then
			wait $pid
			rc=$?
			outcome=exited
			break
		fi
		if [ -n "$port" ] && have curl && curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$port/healthz"; then
			count=$(curl -sf --max-time 5 "http://127.0.0.1:$port/v1/query?sql=select%20count(*)%20from%20geoname&_format=csv" | tail -n 1 | tr -d '\r')
			outcome=http
			break
		fi
		if [ -z "$port" ] && [ $((SECONDS - start)) -ge 3 ]; then outcome=alive; break; fi
		if [ $((SECONDS - start)) -ge 30 ]; then outcome=timeout; break; fi
		sleep 0.1
	done
	if [ $outcome != exited ]; then
		$stop >/dev/null 2>&1
		stop_pid $pid
	fi
	case $outcome in
	exited) fail "$name: /amberd exited with status $rc" "$(cat "$log")" ;;
	http)
		if [ "$count" = "$(wc -l <"$SAMPLE")" ]; then
			ok "$name: /amberd serves /healthz and the database ($count rows) on 127.0.0.1:$port"
		else
			fail "$name: /amberd answers /healthz but counted '$count' rows" "$(cat "$log")"
		fi
		;;
	alive) ok "$name: /amberd is running (no network to probe)" ;;
	timeout) fail "$name: neither exited nor answered GET /healthz on 127.0.0.1:$port in 30 s" "$(cat "$log")" ;;
	esac
}

# --- build every output form ---------------------------------------------------------------------
cd "$T" || exit 2
echo "# building into $T with $AMBER"
build() { $TO "$AMBER" build -q --server "$AMBERD" -f geonames "$SAMPLE" "$@"; }
check "amber build: gzip OCI layout directory" build -t $REF -o img --db-out amber.db
check "amber build: gzip hybrid tar and docker-archive" build -t $REF -o img.tar --docker-archive img.docker.tar
check "amber build: zstd OCI layout directory" build -t $REF --compression zstd -o z
check "amber build: zstd hybrid tar" build -t $ZREF --compression zstd -o z.tar
for f in img img.tar img.docker.tar z z.tar amber.db; do
	[ -e $f ] || { fail "amber build wrote $f"; echo "$PASS passed, $FAIL failed"; exit 1; }
done

# What amber says about its own images: the reference every consumer is compared with.
"$AMBER" inspect --json img >img.json 2>/dev/null
"$AMBER" inspect --json z >z.json 2>/dev/null
MDIG=$(jq -r .manifest_digest img.json)
CDIG=$(jq -r .config_digest img.json)
LAYERS=$(jq -c '[.layers[].digest]' img.json)
DIFFIDS=$(jq -c '[.layers[].diff_id]' img.json)
LABELS=$(jq -cS .labels img.json)
ZMDIG=$(jq -r .manifest_digest z.json)
ZLAYERS=$(jq -c '[.layers[].digest]' z.json)
echo "# manifest $MDIG, config $CDIG, zstd manifest $ZMDIG"
mkdir hx && tar -xf img.tar -C hx
check "the hybrid tar holds the same OCI layout as the directory (plus manifest.json)" diff -r -x manifest.json -x repositories img hx
# The docker-archive holds the same config bytes (so the same image ID) and, as its layers,
# the OCI layers decompressed.
docker_archive_same_image() {
	local i c
	mkdir dx && tar -xf img.docker.tar -C dx || return 1
	cmp "dx/$(jq -r '.[0].Config' dx/manifest.json)" "img/blobs/sha256/${CDIG#sha256:}" || return 1
	for i in 0 1; do
		c=$(jq -r ".layers[$i].digest" img.json)
		cmp <(gzip -dc "img/blobs/sha256/${c#sha256:}") "dx/$(jq -r ".[0].Layers[$i]" dx/manifest.json)" || return 1
	done
}
check "the docker-archive has our config bytes and the OCI layers decompressed" docker_archive_same_image

# break_image DIR KIND: alters an OCI layout (and its docker manifest.json, if any) and re-hashes
# every document that refers to the change, so all digests and sizes are consistent and only
# the one defect is left, the kind that skopeo and podman do not notice (notes §3):
#   diffid: the config's rootfs.diff_ids[1] has its last hex digit changed;
#   size:   the manifest's layers[1].size is one byte too large.
break_image() {
	local L=$1 kind=$2 m c d new
	put() { local h; h=$(sha "$1"); mv "$1" "$L/blobs/sha256/$h"; echo "$h"; }
	m=$(jq -r '.manifests[0].digest' "$L/index.json" | cut -d: -f2)
	c=$(jq -r '.config.digest' "$L/blobs/sha256/$m" | cut -d: -f2)
	if [ "$kind" = diffid ]; then
		d=$(jq -r '.rootfs.diff_ids[1]' "$L/blobs/sha256/$c")
		case $d in *0) new=${d%?}1 ;; *) new=${d%?}0 ;; esac
		jq -cj --arg d "$new" '.rootfs.diff_ids[1] = $d' "$L/blobs/sha256/$c" >"$L/new"
		rm "$L/blobs/sha256/$c"
		c=$(put "$L/new")
		jq -cj --arg d "sha256:$c" --argjson s "$(stat -c %s "$L/blobs/sha256/$c")" \
			'.config.digest = $d | .config.size = $s' "$L/blobs/sha256/$m" >"$L/new"
		if [ -f "$L/manifest.json" ]; then
			jq -c --arg p "blobs/sha256/$c" '.[0].Config = $p' "$L/manifest.json" >"$L/mj" && mv "$L/mj" "$L/manifest.json"
		fi
	else
		jq -cj '.layers[1].size += 1' "$L/blobs/sha256/$m" >"$L/new"
	fi
	rm "$L/blobs/sha256/$m"
	m=$(put "$L/new")
	jq -cj --arg d "sha256:$m" --argjson s "$(stat -c %s "$L/blobs/sha256/$m")" \
		'.manifests[0].digest = $d | .manifests[0].size = $s' "$L/index.json" >"$L/new"
	mv "$L/new" "$L/index.json"
}
cp -r hx bad-diffid && break_image bad-diffid diffid
cp -r hx bad-size && break_image bad-size size
(cd bad-diffid && tar -cf ../bad-diffid.tar oci-layout index.json manifest.json blobs)

# --- amber verify: our own structural check (catches what skopeo and podman miss) ----------------
USED[amber verify]=1
check "amber verify: the layout directory" "$AMBER" verify -q img
check "amber verify: the hybrid tar" "$AMBER" verify -q img.tar
check "amber verify: the docker-archive" "$AMBER" verify -q img.docker.tar
check "amber verify: the zstd layout" "$AMBER" verify -q z
check_fails "amber verify rejects a config diff_id that does not match the layer" 'diff_id' "$AMBER" verify -q bad-diffid
check_fails "amber verify rejects a layer size one byte too large" 'bytes, the manifest says' "$AMBER" verify -q bad-size

# --- oci-image-tool --------------------------------------------------------------------------------
# It validates layout directories only: every tar, even skopeo's own oci-archive, fails in it
# with "find failed: unable to walk: end of walk" (a tool bug), so the tars are not given to it.
# It does not check diff_ids, and it has no zstd media type (rc1).
if need oci-image-tool oci-image-tool; then
	check "oci-image-tool validate --type image: the gzip layout directory" \
		$TO oci-image-tool validate --type image --ref name=$REF img
	check_fails "oci-image-tool rejects the layer size one byte too large" 'size mismatch' \
		$TO oci-image-tool validate --type image --ref name=$REF bad-size
fi

# --- skopeo ----------------------------------------------------------------------------------------
if need skopeo skopeo; then
	# As root skopeo writes /var/lib/containers/cache/blob-info-cache-v1.boltdb (removed at the
	# end if it is new); otherwise its cache goes under XDG_DATA_HOME, here in the temp dir.
	[ $IS_ROOT -eq 1 ] || export XDG_DATA_HOME=$T/xdg
	sk() { $TO skopeo "$@"; }
	inspect_matches() { # inspect_matches TRANSPORT:REF WANT_DIGEST WANT_LAYERS
		local j
		j=$(sk inspect "$1") || { echo "$j"; return 1; }
		[ "$(jq -r .Digest <<<"$j")" = "$2" ] || { echo "Digest $(jq -r .Digest <<<"$j") != $2"; return 1; }
		[ "$(jq -c .Layers <<<"$j")" = "$3" ] || { echo "Layers $(jq -c .Layers <<<"$j") != $3"; return 1; }
		[ "$(jq -cS .Labels <<<"$j")" = "$LABELS" ] || { echo "Labels differ: $(jq -cS .Labels <<<"$j")"; return 1; }
		[ "$(jq -r '.Os + "/" + .Architecture' <<<"$j")" = linux/amd64 ]
	}
	check "skopeo inspect oci:DIR: digest, layers and labels match amber inspect" inspect_matches "oci:img:$REF" "$MDIG" "$LAYERS"
	check "skopeo inspect oci-archive:hybrid.tar: digest, layers and labels match" inspect_matches "oci-archive:img.tar:$REF" "$MDIG" "$LAYERS"
	check "skopeo inspect --config --raw oci:DIR gives our config blob byte for byte" \
		cmp <(sk inspect --config --raw "oci:img:$REF") "img/blobs/sha256/${CDIG#sha256:}"
	# docker-archive: skopeo shows layers by diff_id and a docker manifest it makes up itself, so
	# the manifest digest differs; the config digest and the diff_ids must be ours.
	docker_archive_matches() {
		local j raw
		j=$(sk inspect "docker-archive:$1") && raw=$(sk inspect --raw "docker-archive:$1") || return 1
		[ "$(jq -c .Layers <<<"$j")" = "$DIFFIDS" ] || { echo "Layers $(jq -c .Layers <<<"$j") != $DIFFIDS"; return 1; }
		[ "$(jq -cS .Labels <<<"$j")" = "$LABELS" ] || { echo "Labels differ"; return 1; }
		[ "$(jq -r .config.digest <<<"$raw")" = "$CDIG" ] || { echo "config $(jq -r .config.digest <<<"$raw") != $CDIG"; return 1; }
	}
	check "skopeo inspect docker-archive:hybrid.tar: config digest, diff_ids and labels match" docker_archive_matches img.tar
	check "skopeo inspect docker-archive:docker.tar: config digest, diff_ids and labels match" docker_archive_matches img.docker.tar

	# copy --preserve-digests, then compare every blob with ours byte for byte.
	blobs_identical() { # blobs_identical DIR_OF_BLOBS REFERENCE_BLOB_DIR N: N files, all equal to ours
		local f n=0
		for f in "$1"/*; do
			case ${f##*/} in manifest.json | version) continue ;; esac
			cmp "$f" "$2/${f##*/}" || return 1
			n=$((n + 1))
		done
		[ $n -eq "$3" ] || { echo "$n blobs, want $3"; return 1; }
	}
	# oci_copy_identical LAYOUT MANIFEST_DIGEST REFERENCE_LAYOUT: the copy's index names the
	# manifest and its 4 blobs (manifest, config, 2 layers) are byte-identical to ours.
	oci_copy_identical() {
		[ "$(jq -r '.manifests[0].digest' "$1/index.json")" = "$2" ] || { echo "index names $(jq -r '.manifests[0].digest' "$1/index.json")"; return 1; }
		blobs_identical "$1/blobs/sha256" "$3/blobs/sha256" 4
	}
	# The docker-archive forms as skopeo hands them out: a docker manifest it makes up, our
	# config, and the layers uncompressed, so named by diff_id.
	docker_copies_match() {
		local d
		diff -r cp/d3 cp/d4 || return 1
		cmp "cp/d4/${CDIG#sha256:}" "img/blobs/sha256/${CDIG#sha256:}" || return 1
		for d in $(jq -r '.[]' <<<"$DIFFIDS"); do
			[ "$(sha "cp/d4/${d#sha256:}")" = "${d#sha256:}" ] || { echo "cp/d4/${d#sha256:}: wrong sha256"; return 1; }
		done
	}
	mkdir cp
	check "skopeo copy --preserve-digests oci:DIR → dir:" sk copy -q --preserve-digests "oci:img:$REF" dir:cp/d1
	check "  dir: has our manifest and 3 blobs, byte-identical" \
		eval 'cmp cp/d1/manifest.json "img/blobs/sha256/${MDIG#sha256:}" && blobs_identical cp/d1 img/blobs/sha256 3'
	check "skopeo copy --preserve-digests oci-archive:hybrid.tar → oci:" sk copy -q --preserve-digests "oci-archive:img.tar:$REF" "oci:cp/o2:$REF"
	check "  oci: index names our manifest; all 4 blobs byte-identical" oci_copy_identical cp/o2 "$MDIG" img
	check "skopeo copy --preserve-digests docker-archive:hybrid.tar → dir:" sk copy -q --preserve-digests docker-archive:img.tar dir:cp/d3
	check "skopeo copy --preserve-digests docker-archive:docker.tar → dir:" sk copy -q --preserve-digests docker-archive:img.docker.tar dir:cp/d4
	check "  both docker-archive forms give the same image: our config, layers named by diff_id" docker_copies_match
	check "skopeo copy --preserve-digests docker-archive:docker.tar → oci:" sk copy -q --preserve-digests docker-archive:img.docker.tar oci:cp/o5:x
	check "  oci: holds our config byte for byte" cmp "cp/o5/blobs/sha256/${CDIG#sha256:}" "img/blobs/sha256/${CDIG#sha256:}"

	# zstd: skopeo reads and copies it unchanged.
	check "skopeo inspect oci:zstd-DIR: digest, layers and labels match amber inspect" inspect_matches "oci:z:$REF" "$ZMDIG" "$ZLAYERS"
	check "skopeo copy --preserve-digests oci:zstd-DIR → oci:" sk copy -q --preserve-digests "oci:z:$REF" "oci:cp/z:$REF"
	check "  oci: index names the zstd manifest; all 4 blobs byte-identical" oci_copy_identical cp/z "$ZMDIG" z
	check "skopeo copy --dest-compress-format gzip: zstd → gzip for older consumers" \
		sk copy -q --dest-compress-format gzip "oci:z:$REF" "oci:cp/zg:$REF"
fi

# --- umoci: the strictest checker; unpacks a runtime bundle ------------------------------------
UMOCI_FLAGS=()
[ $IS_ROOT -eq 1 ] || UMOCI_FLAGS=(--rootless)
if need umoci umoci; then
	check "umoci stat: the layout directory" $TO umoci stat --image "img:$REF"
	check "umoci unpack: the layout directory into a bundle" $TO umoci unpack "${UMOCI_FLAGS[@]}" --image "img:$REF" bundle
	check "  rootfs/data/amber.db is byte-identical to --db-out" cmp bundle/rootfs/data/amber.db amber.db
	check "  rootfs/amberd is byte-identical to bin/amberd" cmp bundle/rootfs/amberd "$AMBERD"
	eq "  modes: /amberd 0555, /data/amber.db 0444" "555 444" "$(stat -c %a bundle/rootfs/amberd bundle/rootfs/data/amber.db | tr '\n' ' ' | sed 's/ $//')"
	if [ $IS_ROOT -eq 1 ]; then
		eq "  owner uid:gid 0:0 for /amberd, /data, /data/amber.db" "0:0 0:0 0:0" \
			"$(stat -c %u:%g bundle/rootfs/amberd bundle/rootfs/data bundle/rootfs/data/amber.db | tr '\n' ' ' | sed 's/ $//')"
	else
		skip "  owner uid 0: a rootless unpack owns everything by the current user"
	fi
	eq "  the bundle runs /amberd --db /data/amber.db as uid 65534, gid 65534" '["/amberd","--db","/data/amber.db"] 65534 65534' \
		"$(jq -c .process.args bundle/config.json) $(jq -r '.process.user.uid, .process.user.gid' bundle/config.json | tr '\n' ' ' | sed 's/ $//')"
	check_fails "umoci rejects a config diff_id that does not match the layer" 'diffid mismatch' \
		$TO umoci unpack "${UMOCI_FLAGS[@]}" --image "bad-diffid:$REF" bad-bundle1
	check_fails "umoci rejects a layer size one byte too large" 'size mismatch|bytes' \
		$TO umoci unpack "${UMOCI_FLAGS[@]}" --image "bad-size:$REF" bad-bundle2
	# umoci 0.4 has no zstd (0.5 added it): expected refusal, documented in notes §2.
	if umoci --version | grep -q 'version 0\.4\.'; then
		check_fails "umoci 0.4 unpack refuses zstd layers (expected: no zstd support)" 'tar\+zstd' \
			$TO umoci unpack "${UMOCI_FLAGS[@]}" --image "z:$REF" zbundle
	else
		check "umoci unpack: the zstd layout" $TO umoci unpack "${UMOCI_FLAGS[@]}" --image "z:$REF" zbundle
	fi
	if [ -d cp/zg ]; then
		check "umoci unpack: the zstd image recompressed to gzip by skopeo" $TO umoci unpack "${UMOCI_FLAGS[@]}" --image "cp/zg:$REF" zgbundle
		check "  its rootfs/data/amber.db is byte-identical to --db-out" cmp zgbundle/rootfs/data/amber.db amber.db
	fi
fi

if [ $QUICK -eq 1 ]; then
	teardown
	if diff "$T/host.before" <(host_state) >"$T/host.diff"; then
		ok "host left as found (fixed places of notes §9)"
	else
		fail "host left as found (fixed places of notes §9)" "$(cat "$T/host.diff")"
	fi
	echo "$PASS passed, $FAIL failed"
	[ $FAIL -eq 0 ]
	exit
fi

# ===================================== full set: runtimes and daemons ==============================
echo "# full set: runtimes and daemons (private state under $T)"

# --- runc on the umoci bundle --------------------------------------------------------------------
if need runc runc && need_root runc && [ -f bundle/config.json ]; then
	RUNC_STATE=$T/runc-state
	mkdir -p "$RUNC_STATE"
	PORT=$(free_port)
	# No TTY here; no network namespace, so that a real server is reachable on host loopback.
	jq --argjson p "\"127.0.0.1:$PORT\"" '.process.terminal = false
		| .linux.namespaces |= map(select(.type != "network"))
		| .process.args = ["/amberd", "--db", "/data/amber.db", "--listen", $p]' bundle/config.json >bundle/c.json &&
		mv bundle/c.json bundle/config.json
	runc_stop() { runc --root "$RUNC_STATE" kill "$TAG-runc" KILL; }
	check_server_started "runc run (umoci bundle, host network)" "$PORT" runc_stop \
		$TO runc --root "$RUNC_STATE" run -b bundle "$TAG-runc"
	$TO runc --root "$RUNC_STATE" delete -f "$TAG-runc" >/dev/null 2>&1
elif have runc && [ $IS_ROOT -eq 1 ]; then
	skip "runc: no umoci bundle to run (umoci missing or its unpack failed)"
	SKIPPED[runc]="no umoci bundle"
	unset "USED[runc]"
fi

# --- a local distribution registry ----------------------------------------------------------------
REGISTRY=""
REG_BIN=$(command -v docker-registry || command -v registry || true)
if [ -z "$REG_BIN" ]; then
	skip "docker-registry: not installed (scripts/deps.sh --runtimes installs it)"
	SKIPPED[docker-registry]="not installed"
elif [ -z "${USED[skopeo]:-}" ] || ! have curl; then
	skip "docker-registry: needs skopeo and curl to push and pull"
	SKIPPED[docker-registry]="needs skopeo and curl"
else
	USED[docker-registry]=1
	REG_PORT=$(free_port)
	mkdir -p registry
	cat >registry/config.yml <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $T/registry/data
http:
  addr: 127.0.0.1:$REG_PORT
  secret: amber-test-runtimes
EOF
	setsid "$REG_BIN" serve registry/config.yml >registry/log 2>&1 &
	DAEMONS[registry]=$!
	for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$REG_PORT/v2/" && break; sleep 0.1; done
	if curl -sf -o /dev/null "http://127.0.0.1:$REG_PORT/v2/"; then
		ok "docker-registry serves on 127.0.0.1:$REG_PORT"
		REGISTRY=127.0.0.1:$REG_PORT
		R=docker://$REGISTRY/amber/test
		registry_has() { # registry_has TAG DIGEST LAYERS
			local j
			j=$(sk inspect --tls-verify=false "$R:$1") || { echo "$j"; return 1; }
			[ "$(jq -r .Digest <<<"$j")" = "$2" ] && [ "$(jq -c .Layers <<<"$j")" = "$3" ] || { echo "$j"; return 1; }
		}
		registry_serves_bytes() {
			curl -sf -D registry/headers -o registry/manifest -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
				"http://$REGISTRY/v2/amber/test/manifests/1" || return 1
			grep -qi "^Docker-Content-Digest: $MDIG" registry/headers || { cat registry/headers; return 1; }
			cmp registry/manifest "img/blobs/sha256/${MDIG#sha256:}"
		}
		check "skopeo copy --preserve-digests oci:DIR → registry" \
			sk copy -q --preserve-digests --dest-tls-verify=false "oci:img:$REF" "$R:1"
		check "  skopeo inspect of the registry image: our manifest digest and layers" registry_has 1 "$MDIG" "$LAYERS"
		check "  the registry serves our manifest bytes (Docker-Content-Digest = manifest digest)" registry_serves_bytes
		check "skopeo copy registry → oci: (pull back)" \
			sk copy -q --preserve-digests --src-tls-verify=false "$R:1" "oci:back:$REF"
		check "  pulled back: same manifest digest, all 4 blobs byte-identical" oci_copy_identical back "$MDIG" img
		check "skopeo copy --preserve-digests oci:zstd-DIR → registry (registries take zstd)" \
			sk copy -q --preserve-digests --dest-tls-verify=false "oci:z:$REF" "$R:zstd"
		check "  the registry's zstd image keeps our digest and zstd layers" registry_has zstd "$ZMDIG" "$ZLAYERS"
	else
		fail "docker-registry serves on 127.0.0.1:$REG_PORT" "$(cat registry/log)"
		stop_daemon registry
	fi
fi

# --- podman ---------------------------------------------------------------------------------------
if need podman podman runc && need_root podman; then
	# The settings that make podman work without CAP_SYS_RESOURCE and without touching the host
	# network (notes §2): lower default ulimits, no network namespace setup, cgroupfs, file
	# events, its own storage/run/tmp/network-config/runc-state directories, vfs storage.
	mkdir -p podman/net podman/runc
	cat >podman/containers.conf <<EOF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
[network]
network_config_dir = "$T/podman/net"
EOF
	export CONTAINERS_CONF=$T/podman/containers.conf
	PODMAN=(--root "$T/podman/storage" --runroot "$T/podman/run" --tmpdir "$T/podman/tmp" --storage-driver vfs
		--cgroup-manager cgroupfs --events-backend file --runtime runc --network-config-dir "$T/podman/net"
		--runtime-flag "root=$T/podman/runc")
	PODMAN_ARGS=1
	pm() { $TO podman "${PODMAN[@]}" "$@"; }
	podman_run() { # podman_run LABEL: runs the loaded $REF
		local port
		port=$(free_port)
		podman_stop() { podman "${PODMAN[@]}" kill "$TAG-pm"; }
		check_server_started "podman run --network=host ($1)" "$port" podman_stop \
			$TO podman "${PODMAN[@]}" run --rm --network=host --name "$TAG-pm" $REF --db /data/amber.db --listen "127.0.0.1:$port"
	}
	check "podman load -i hybrid.tar" pm load -q -i img.tar
	eq "  podman image ID = config digest, digest = our manifest digest" "${CDIG#sha256:} $MDIG" \
		"$(pm image inspect -f '{{.Id}} {{.Digest}}' $REF 2>&1)"
	eq "  podman sees user 65534:65534, entrypoint [/amberd]" "65534:65534 [/amberd]" \
		"$(pm image inspect -f '{{.Config.User}} {{.Config.Entrypoint}}' $REF 2>&1)"
	podman_run "hybrid.tar"
	pm rmi -f $REF >/dev/null 2>&1
	check "podman load -i docker.tar" pm load -q -i img.docker.tar
	eq "  podman image ID = config digest" "${CDIG#sha256:}" "$(pm image inspect -f '{{.Id}}' $REF 2>&1)"
	podman_run "docker.tar"
	pm rmi -f $REF >/dev/null 2>&1
	if [ -n "$REGISTRY" ]; then
		check "podman pull from the local registry" pm pull -q --tls-verify=false "$REGISTRY/amber/test:1"
		eq "  pulled: image ID = config digest, digest = our manifest digest" "${CDIG#sha256:} $MDIG" \
			"$(pm image inspect -f '{{.Id}} {{.Digest}}' "$REGISTRY/amber/test:1" 2>&1)"
		pm rmi -f "$REGISTRY/amber/test:1" >/dev/null 2>&1
	fi
	pm rm -f -a >/dev/null 2>&1
	unset CONTAINERS_CONF PODMAN_ARGS
fi

# --- containerd + ctr -------------------------------------------------------------------------------
if need containerd containerd ctr runc && need_root containerd; then
	mkdir -p containerd
	# Own root, state and socket; no CRI plugin, no TCP listener (ttrpc/debug/metrics empty), its
	# own /opt path. The shim socket dir /run/containerd/s is fixed in 1.6 (removed at the end).
	cat >containerd/config.toml <<EOF
version = 2
root = "$T/containerd/root"
state = "$T/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$T/containerd/c.sock"
  tcp_address = ""
[ttrpc]
  address = ""
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$T/containerd/opt"
EOF
	setsid containerd --config containerd/config.toml >containerd/log 2>&1 &
	DAEMONS[containerd]=$!
	CTR=(ctr -a "$T/containerd/c.sock" -n "$NS")
	for _ in $(seq 150); do $TO "${CTR[@]}" version >/dev/null 2>&1 && break; sleep 0.1; done
	if $TO "${CTR[@]}" version >/dev/null 2>&1; then
		ok "containerd started (private root, state and socket)"
		# Before anything is unpacked: a cached snapshot would hide the check.
		check_fails "ctr images import rejects a config diff_id that does not match the layer" 'diff ?id' \
			$TO "${CTR[@]}" images import bad-diffid.tar
		$TO "${CTR[@]}" images rm $REF >/dev/null 2>&1
		check "ctr images import hybrid.tar" $TO "${CTR[@]}" images import img.tar
		eq "  imported image's digest = our manifest digest" "$MDIG" \
			"$($TO "${CTR[@]}" images ls | awk -v r=$REF '$1 == r {print $3}')"
		if $TO "${CTR[@]}" containers create $REF "$TAG-spec" >/dev/null 2>&1; then
			eq "  containerd's runtime spec: /amberd --db /data/amber.db as uid 65534, gid 65534" \
				'["/amberd","--db","/data/amber.db"] 65534 65534' \
				"$($TO "${CTR[@]}" containers info "$TAG-spec" | jq -r '(.Spec.process.args | tostring), .Spec.process.user.uid, .Spec.process.user.gid' | tr '\n' ' ' | sed 's/ $//')"
			$TO "${CTR[@]}" containers rm "$TAG-spec" >/dev/null 2>&1
		else
			fail "  ctr containers create $REF"
		fi
		port=$(free_port)
		ctr_stop() { "${CTR[@]}" tasks kill -s SIGKILL "$TAG-ctr"; }
		check_server_started "ctr run --rm --net-host" "$port" ctr_stop \
			$TO "${CTR[@]}" run --rm --net-host --fifo-dir "$T/containerd/fifo" --runc-root "$T/containerd/runc" \
			$REF "$TAG-ctr" /amberd --db /data/amber.db --listen "127.0.0.1:$port"
		$TO "${CTR[@]}" images rm $REF >/dev/null 2>&1
	else
		fail "containerd started" "$(tail -20 containerd/log)"
	fi
	stop_daemon containerd
fi

# --- dockerd + docker CLI ------------------------------------------------------------------------------
if need dockerd dockerd docker && need_root dockerd; then
	mkdir -p docker
	DOCKER_SOCK=$T/docker/d.sock
	export DOCKER_CONFIG=$T/docker/cli # the CLI's own config dir, not ~/.docker
	# deprecated-key-path: or it writes /etc/docker/key.json. No iptables, no bridge, no NAT:
	# the host network is left alone; containers get --network=none or host.
	printf '{"deprecated-key-path": "%s"}\n' "$T/docker/key.json" >docker/daemon.json
	setsid dockerd --config-file docker/daemon.json --data-root "$T/docker/data" --exec-root "$T/docker/exec" \
		--pidfile "$T/docker/docker.pid" -H "unix://$DOCKER_SOCK" --iptables=false --ip6tables=false \
		--bridge=none --ip-forward=false --ip-masq=false --userland-proxy=false --storage-driver vfs \
		>docker/log 2>&1 &
	DAEMONS[dockerd]=$!
	DK=(docker -H "unix://$DOCKER_SOCK")
	for _ in $(seq 300); do $TO "${DK[@]}" version >/dev/null 2>&1 && break; sleep 0.1; done
	if $TO "${DK[@]}" version >/dev/null 2>&1; then
		DVER=$("${DK[@]}" version -f '{{.Server.Version}}' 2>/dev/null)
		ok "dockerd $DVER started (private data-root, exec-root and socket)"
		dk() { $TO "${DK[@]}" "$@"; }
		# With an empty store first: docker skips layers it already has by diff_id, which would
		# hide both checks.
		if [ "${DVER%%.*}" -lt 23 ] 2>/dev/null; then
			check_fails "docker $DVER load refuses the zstd hybrid (expected: no zstd before docker 23)" 'invalid tar header|zstd|unsupported' \
				dk load -q -i z.tar
		else
			check "docker $DVER load -i the zstd hybrid" dk load -q -i z.tar
		fi
		dk rmi -f $ZREF >/dev/null 2>&1
		check_fails "docker load rejects a config diff_id that does not match the layer" 'diff ?ID|diffID|diff id' \
			dk load -q -i bad-diffid.tar
		dk rmi -f $REF >/dev/null 2>&1
		check "docker load -i hybrid.tar" dk load -q -i img.tar
		eq "  docker image ID = config digest" "$CDIG" "$(dk image inspect -f '{{.Id}}' $REF 2>&1)"
		eq "  docker sees user 65534:65534, entrypoint [/amberd], port 8080/tcp, no volumes" \
			"65534:65534 [/amberd] map[8080/tcp:{}] map[]" \
			"$(dk image inspect -f '{{.Config.User}} {{.Config.Entrypoint}} {{.Config.ExposedPorts}} {{.Config.Volumes}}' $REF 2>&1)"
		if dk create --name "$TAG-c" $REF >/dev/null 2>&1; then
			eq '  docker inspect of a created container: "Mounts": [] (no volumes)' '[]' \
				"$(dk inspect -f '{{json .Mounts}}' "$TAG-c" 2>&1)"
			dk rm -f "$TAG-c" >/dev/null 2>&1
		else
			fail "  docker create $REF"
		fi
		docker_stop_none() { "${DK[@]}" kill "$TAG-none"; }
		check_server_started "docker run --rm --network=none (image's own Cmd)" "" docker_stop_none \
			$TO "${DK[@]}" run --rm --network=none --name "$TAG-none" $REF
		port=$(free_port)
		docker_stop_host() { "${DK[@]}" kill "$TAG-host"; }
		check_server_started "docker run --rm --network=host" "$port" docker_stop_host \
			$TO "${DK[@]}" run --rm --network=host --name "$TAG-host" $REF --db /data/amber.db --listen "127.0.0.1:$port"
		dk rmi -f $REF >/dev/null 2>&1
		check "docker load -i docker.tar" dk load -q -i img.docker.tar
		eq "  docker image ID = config digest" "$CDIG" "$(dk image inspect -f '{{.Id}}' $REF 2>&1)"
		docker_stop_da() { "${DK[@]}" kill "$TAG-da"; }
		check_server_started "docker run --rm --network=none (from docker.tar)" "" docker_stop_da \
			$TO "${DK[@]}" run --rm --network=none --name "$TAG-da" $REF
		dk rmi -f $REF >/dev/null 2>&1
		if [ -n "$REGISTRY" ]; then
			check "docker pull from the local registry (empty store)" dk pull -q "$REGISTRY/amber/test:1"
			eq "  pulled: image ID = config digest, repo digest = our manifest digest" "$CDIG $REGISTRY/amber/test@$MDIG" \
				"$(dk image inspect -f '{{.Id}} {{range .RepoDigests}}{{.}}{{end}}' "$REGISTRY/amber/test:1" 2>&1)"
			dk rmi -f "$REGISTRY/amber/test:1" >/dev/null 2>&1
		fi
	else
		fail "dockerd started" "$(tail -20 docker/log)"
	fi
	stop_daemon dockerd
	unset DOCKER_CONFIG
fi

# --- stop everything, undo the host changes, and check that nothing is left -------------------
stop_daemon registry
teardown
left=$(pgrep -af -- "$T/" 2>/dev/null | grep -v "^$$ ")
eq "no process of ours is left running" "" "$left"
if diff "$T/host.before" <(host_state) >"$T/host.diff"; then
	ok "host left as found (/run, /etc/docker, /etc/containers, /var/lib/containers, /opt/containerd, cgroups)"
else
	fail "host left as found" "$(cat "$T/host.diff")"
fi

used=$(printf '%s\n' "${!USED[@]}" | sort | tr '\n' ',' | sed 's/,$//; s/,/, /g')
echo "# consumers exercised: $used"
for k in $(printf '%s\n' "${!SKIPPED[@]}" | sort); do echo "# not exercised: $k (${SKIPPED[$k]})"; done
echo "$PASS passed, $FAIL failed"
[ $FAIL -eq 0 ]
