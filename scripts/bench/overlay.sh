# bench/overlay.sh — section overlay: what reading the database through an image's layers
# costs against a plain host file. The same wrk loads (pk lookups, a 100-row range query) hit
# amberd serving cities500 four ways, in one run, alternating round by round:
#   host file   bin/amberd --db FILE (the baseline)
#   amber run   the image unpacked by `amber run` into its cache, the image's own /amberd
#   podman      podman run --network=host, overlay storage (private root, runc)
#   docker      a private dockerd 20.10 with overlay2 storage, docker run --network=host
# Every server listens on 127.0.0.1 with a free port and is stopped by this script. podman and
# docker need root; a missing tool gives a "skipped" row, not a failure. (sourced by scripts/bench.sh)

# BENCH_OVERLAY_MODES limits the modes (e.g. "host podman").
read -r -a OVERLAY_MODES <<<"${BENCH_OVERLAY_MODES:-host run podman docker}"

# overlay_start MODE PORT : starts the server of MODE in the background, sets OPID
overlay_start() {
    local mode=$1 port=$2 d=$WORK/overlay args
    args=(--db /data/amber.db --listen "127.0.0.1:$port" --threads 2)
    case $mode in
    host) "$AMBERD" --db "$d/host.db" --listen "127.0.0.1:$port" --threads 2 2>>"$d/log" & ;;
    run) XDG_CACHE_HOME=$d/cache "$AMBER" run "$d/img.tar" --listen "127.0.0.1:$port" -- "${args[@]:0:2}" --threads 2 2>>"$d/log" & ;;
    podman) podman "${OVERLAY_PODMAN[@]}" run --rm --network=host --name amber-bench-pm "$OVERLAY_REF" "${args[@]}" \
        >>"$d/log" 2>&1 & ;;
    docker) overlay_docker run --rm --network=host --name amber-bench-dk "$OVERLAY_REF" \
        "${args[@]}" >>"$d/log" 2>&1 & ;;
    esac
    OPID=$!
    local i
    for ((i = 0; i < 1500; i++)); do
        curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && return 0
        kill -0 "$OPID" 2>/dev/null || break
        sleep 0.02
    done
    die "overlay: $mode did not start: $(tail -n 5 "$d/log")"
}

overlay_stop() {
    local mode=$1
    case $mode in
    podman) podman "${OVERLAY_PODMAN[@]}" kill amber-bench-pm >/dev/null 2>&1 || true ;;
    docker) overlay_docker kill amber-bench-dk >/dev/null 2>&1 || true ;;
    *) kill -TERM "$OPID" 2>/dev/null || true ;;
    esac
    wait "$OPID" 2>/dev/null || true
}

# The private podman: its own storage (overlay), run and config directories (notes §2).
overlay_podman_setup() {
    local d=$WORK/overlay/podman
    mkdir -p "$d/net" "$d/runc"
    cat >"$d/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
[network]
network_config_dir = "$d/net"
EOF
    export CONTAINERS_CONF=$d/containers.conf
    OVERLAY_PODMAN=(--root "$d/storage" --runroot "$d/run" --tmpdir "$d/tmp" --storage-driver overlay
        --cgroup-manager cgroupfs --events-backend file --runtime runc --network-config-dir "$d/net"
        --runtime-flag "root=$d/runc")
    podman "${OVERLAY_PODMAN[@]}" load -q -i "$WORK/overlay/img.tar" >/dev/null
}

# The docker CLI talking to the private dockerd, with its own config directory (not ~/.docker;
# set only here, since podman reads DOCKER_CONFIG too).
overlay_docker() { DOCKER_CONFIG=$WORK/overlay/docker/cli docker -H "unix://$WORK/overlay/docker/d.sock" "$@"; }

# The private dockerd: overlay2, no bridge, no iptables, its own data/exec roots and socket.
overlay_docker_setup() {
    local d=$WORK/overlay/docker
    mkdir -p "$d"
    mkdir -p "$d/cli"
    printf '{"deprecated-key-path": "%s"}\n' "$d/key.json" >"$d/daemon.json"
    [ -e /run/docker ] && OVERLAY_RUN_DOCKER_EXISTED=1 || OVERLAY_RUN_DOCKER_EXISTED=0
    setsid dockerd --config-file "$d/daemon.json" --data-root "$d/data" --exec-root "$d/exec" \
        --pidfile "$d/docker.pid" -H "unix://$d/d.sock" --iptables=false --ip6tables=false \
        --bridge=none --ip-forward=false --ip-masq=false --userland-proxy=false --storage-driver overlay2 \
        >"$d/log" 2>&1 &
    OVERLAY_DOCKERD=$!
    local i
    for ((i = 0; i < 300; i++)); do
        overlay_docker version >/dev/null 2>&1 && break
        sleep 0.1
    done
    overlay_docker load -q -i "$WORK/overlay/img.tar" >/dev/null ||
        die "overlay: docker load failed: $(tail -n 5 "$d/log")"
}

overlay_teardown() {
    local d=$WORK/overlay pid children m
    if [ ${#OVERLAY_PODMAN[@]} -gt 0 ]; then
        podman "${OVERLAY_PODMAN[@]}" rm -f -a >/dev/null 2>&1 || true
        podman "${OVERLAY_PODMAN[@]}" system reset -f >/dev/null 2>&1 || true
        OVERLAY_PODMAN=()
    fi
    if [ -n "${OVERLAY_DOCKERD:-}" ]; then
        overlay_docker rm -f amber-bench-dk >/dev/null 2>&1 || true
        # dockerd runs its own containerd: note its PID before stopping dockerd, then stop it too.
        children=$(pgrep -P "$OVERLAY_DOCKERD" 2>/dev/null | tr '\n' ' ')
        for pid in $OVERLAY_DOCKERD $children; do
            kill -TERM "$pid" 2>/dev/null || continue
            for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        done
        wait "$OVERLAY_DOCKERD" 2>/dev/null || true
        OVERLAY_DOCKERD=
        # dockerd creates /run/docker/plugins (notes §9); remove it when it was not there before.
        [ "$OVERLAY_RUN_DOCKER_EXISTED" = 0 ] && rmdir /run/docker/plugins /run/docker 2>/dev/null || true
    fi
    # Mounts the runtimes leave under our directory (overlay layers, dockerd's netns).
    for m in $(awk -v t="$d/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done
}

# overlay_available MODE -> 0 when MODE can run here (prints the reason when not)
overlay_available() {
    case $1 in
    podman) [ "$(id -u)" = 0 ] && command -v podman >/dev/null && command -v runc >/dev/null ;;
    docker) [ "$(id -u)" = 0 ] && command -v dockerd >/dev/null && command -v docker >/dev/null ;;
    *) return 0 ;;
    esac
}

bench_overlay() {
    local src=${AMBER_GEONAMES:-$(dirname "$ROOT")/shared/data/geonames/cities500.txt.zst}
    if [ ! -f "$src" ]; then
        echo "bench overlay: skipped: GeoNames data not found at $src (set AMBER_GEONAMES)."
        return 0
    fi
    for t in wrk curl sqlite3 jq; do command -v $t >/dev/null || die "$t not found (scripts/deps.sh installs it)"; done
    local d=$WORK/overlay rounds=${BENCH_ROUNDS:-3} modes=() m
    rm -rf "$d"
    mkdir -p "$d/cache"
    convert_prepare "$src"
    note "overlay: building the image (not timed)"
    OVERLAY_REF=localhost/amber-bench:overlay
    "$AMBER" build -q -f geonames -t "$OVERLAY_REF" "$WORK/convert/cities500.txt" -o "$d/img.tar" \
        --db-out "$d/host.db" >/dev/null
    OVERLAY_PODMAN=()
    OVERLAY_DOCKERD=
    trap overlay_teardown EXIT
    for m in "${OVERLAY_MODES[@]}"; do
        if overlay_available "$m"; then modes+=("$m"); else note "overlay: $m not available here (needs root and the tool)"; fi
    done
    [[ " ${modes[*]} " == *" podman "* ]] && overlay_podman_setup
    [[ " ${modes[*]} " == *" docker "* ]] && overlay_docker_setup

    # Workloads: ~1000 ids spread over the table; a range of 100 rows from each.
    local rows range
    rows=$(rows_of "$d/host.db")
    sqlite3 -readonly "$d/host.db" "SELECT geonameid FROM (SELECT geonameid, row_number() OVER (ORDER BY geonameid) AS n
        FROM geoname) WHERE n % $((rows / 1000 + 1)) = 0" >"$d/ids.txt"
    server_lua "$d/pk.lua" /v1/tables/geoname/ "$d/ids.txt"
    range=$(jq -rn '"SELECT geonameid, name, population FROM geoname WHERE geonameid >= :a ORDER BY geonameid LIMIT 100" | @uri')
    server_lua "$d/range.lua" "/v1/query?sql=$range&a=" "$d/ids.txt"
    rm -f "$WORK/times/"overlay-*

    local r i k port n=${#modes[@]}
    for ((r = 1; r <= rounds; r++)); do
        note "overlay: round $r/$rounds"
        for ((i = 0; i < n; i++)); do
            k=${modes[(i + r - 1) % n]}
            port=$(free_port)
            overlay_start "$k" "$port"
            server_wrk "overlay-$k-pk" "$port" "$d/pk.lua"
            server_wrk "overlay-$k-range" "$port" "$d/range.lua"
            overlay_stop "$k"
        done
    done
    overlay_teardown
    trap - EXIT

    local body=$WORK/overlay.md base_pk base_range label
    col_median() { awk -v c="$2" '{ print $c }' "$WORK/times/$1" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
    base_pk=$(col_median overlay-host-pk 1)
    base_range=$(col_median overlay-host-range 1)
    {
        echo "## overlay: the database read through image layers against a plain host file"
        echo
        echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(machine); $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)." \
            "Each cell is the median of N = $rounds alternating rounds of \`wrk -t2 -c64 -d${BENCH_SECONDS:-10}s\`" \
            "against amberd (2 threads) serving cities500 ($rows rows) on 127.0.0.1, the server freshly started" \
            "each round. pk: \`GET /v1/tables/geoname/{id}\` over $(wc -l <"$d/ids.txt") ids; range:" \
            "\`/v1/query\` of 100 rows from each of those ids by primary key."
        echo
        echo "| how amberd reads the database | pk req/s | ÷ host | p99 ms | range req/s | ÷ host | p99 ms |"
        echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
        for k in "${OVERLAY_MODES[@]}"; do
            case $k in
            host) label="host file: \`amberd --db FILE\` (baseline)" ;;
            run) label="\`amber run IMAGE\`: layers unpacked to the cache, the image's /amberd" ;;
            podman) label="podman $(podman --version | awk '{ print $3 }'), overlay storage, --network=host" ;;
            docker) label="docker $(dockerd --version | awk '{ print $3 }' | tr -d ,), overlay2 storage, --network=host" ;;
            esac
            if [ ! -f "$WORK/times/overlay-$k-pk" ]; then
                echo "| $label | skipped: needs root and the tool | | | | | |"
                continue
            fi
            local pk rg
            pk=$(col_median "overlay-$k-pk" 1) rg=$(col_median "overlay-$k-range" 1)
            echo "| $label | $pk | **$(ratio "$pk" "$base_pk")** | $(col_median "overlay-$k-pk" 3) |" \
                "$rg | **$(ratio "$rg" "$base_range")** | $(col_median "overlay-$k-range" 3) |"
        done
        echo
        echo "The database file is opened read-only and immutable and mmapped by SQLite, so after the first" \
            "touch its pages come from the page cache whichever filesystem holds it: overlayfs adds a cost" \
            "at open and on page faults, not per query. Every answer was a 2xx."
    } >"$body"
    cat "$body"
    doc_section overlay "$body"
    note "overlay: written to ${DOC#"$ROOT"/}"
}
