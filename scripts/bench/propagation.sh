# bench/propagation.sh — section propagation: how long a change committed on the master takes
# to become a new image in a registry, through scripts/refresh.sh (dump → amber build → skopeo
# push), for the catalog sample and for cities500. A private MariaDB (scripts/sqlservers.sh)
# is the master and a private docker-registry takes the pushes, both on 127.0.0.1, both
# stopped by this script by PID. (sourced by scripts/bench.sh)

prop_stop() {
    if [ -n "${PROP_REG_PID:-}" ]; then
        kill -TERM "$PROP_REG_PID" 2>/dev/null || true
        wait "$PROP_REG_PID" 2>/dev/null || true
    fi
    PROP_REG_PID=
    "$ROOT/scripts/sqlservers.sh" stop "$WORK/propagation/servers" >/dev/null 2>&1 || true
}

prop_mdb() { mariadb --no-defaults --socket="$WORK/propagation/servers/mariadb/mysqld.sock" -uroot "$@"; }

# prop_rounds NAME DB TABLE KEYCOL ROUNDS : commit a change to one row, then refresh; records
# "dump build push total" per round in $WORK/times/prop-NAME.
prop_rounds() {
    local name=$1 db=$2 table=$3 key=$4 rounds=$5 d=$WORK/propagation r t0 t1
    rm -f "$WORK/times/prop-$name" "$d/$name.timings"
    for ((r = 1; r <= rounds; r++)); do
        t0=$(date +%s.%N)
        prop_mdb "$db" -e "UPDATE $table SET name = CONCAT('bench $r ', name) ORDER BY $key LIMIT 1"
        "$ROOT/scripts/refresh.sh" --master "mariadb://root@127.0.0.1/$db" \
            --socket "$d/servers/mariadb/mysqld.sock" --registry "127.0.0.1:$PROP_REG_PORT" \
            --repo "bench/$name" --state "$d/state-$name" --timings "$d/$name.timings" \
            >/dev/null 2>"$d/$name.log" || die "propagation: refresh failed: $(tail -n 5 "$d/$name.log")"
        t1=$(date +%s.%N)
        tail -n 1 "$d/$name.timings" | grep -q pushed || die "propagation: round $r of $name pushed nothing"
        # The commit happened just before the refresh started: the delay is commit → pushed.
        tail -n 1 "$d/$name.timings" | awk -v a="$t0" -v b="$t1" '{ printf "%s %s %s %.2f\n", $1, $2, $3, b - a }' \
            >>"$WORK/times/prop-$name"
    done
}

bench_propagation() {
    local src=${AMBER_GEONAMES:-$(dirname "$ROOT")/shared/data/geonames/cities500.txt.zst}
    for t in skopeo jq docker-registry; do command -v $t >/dev/null || die "$t not found (scripts/deps.sh installs it)"; done
    local d=$WORK/propagation rounds=${BENCH_ROUNDS:-5} have_cities=0
    rm -rf "$d"
    mkdir -p "$d/registry"
    trap prop_stop EXIT
    "$ROOT/scripts/sqlservers.sh" install
    "$ROOT/scripts/sqlservers.sh" start-mariadb "$d/servers" 2>/dev/null
    PROP_REG_PORT=$(free_port)
    printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n  secret: amber-bench\n' \
        "$d/registry/data" "$PROP_REG_PORT" >"$d/registry/config.yml"
    docker-registry serve "$d/registry/config.yml" >"$d/registry/log" 2>&1 &
    PROP_REG_PID=$!
    wait_http "http://127.0.0.1:$PROP_REG_PORT/v2/" || die "propagation: the registry did not start"

    note "propagation: loading the masters (not timed)"
    prop_mdb -e "CREATE DATABASE catalog; CREATE DATABASE geo"
    prop_mdb catalog <"$ROOT/samples/catalog/catalog.sql"
    if [ -f "$src" ]; then
        convert_prepare "$src"
        dumps_prepare
        dumps_stop_servers # dumps_prepare starts its own servers when it has to make the dumps
        prop_mdb geo <"$WORK/dumps/cities500-1x.mysql.sql"
        have_cities=1
    fi
    # The first refresh of each pushes the whole image (both layers); later ones only the data
    # layer, as in steady state. Untimed.
    prop_rounds catalog catalog models id 1
    [ $have_cities = 0 ] || prop_rounds cities500 geo geoname geonameid 1
    prop_rounds catalog catalog models id "$rounds"
    [ $have_cities = 0 ] || prop_rounds cities500 geo geoname geonameid "$rounds"
    prop_stop
    trap - EXIT

    local body=$WORK/propagation.md name col
    colmed() { awk -v c="$2" '{ print $c }' "$WORK/times/prop-$1" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.2f", v[(NR + 1) / 2]; else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
    {
        echo "## propagation: a change on the master → a new image in the registry"
        echo
        echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(machine); median of N = $rounds rounds. Each round" \
            "commits an UPDATE of one row on the master (a private MariaDB), then runs \`scripts/refresh.sh\`:" \
            "\`mariadb-dump\` → \`amber build\` (gzip, integrity check) → \`skopeo copy --preserve-digests\` to a" \
            "private docker-registry on 127.0.0.1 (only the data layer is new; the server layer is already" \
            "there). The delay runs from the commit to the end of the push."
        echo
        echo "| dataset | rows | N | dump s | build s | push s | commit → registry s | dominant step |"
        echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
        for name in catalog cities500; do
            [ -f "$WORK/times/prop-$name" ] || { echo "| $name | | | skipped: GeoNames data not found | | | | |"; continue; }
            local dm bm pm tm rows dom
            dm=$(colmed "$name" 1) bm=$(colmed "$name" 2) pm=$(colmed "$name" 3) tm=$(colmed "$name" 4)
            rows=$("$AMBER" inspect --json "$d/state-$name/image.tar" | jq '[.labels | to_entries[] | select(.key | test("^io.amber.table\\..*\\.rows$")) | .value | tonumber] | add')
            dom=$(awk -v a="$dm" -v b="$bm" -v c="$pm" 'BEGIN { if (b >= a && b >= c) print "build"; else if (a >= c) print "dump"; else print "push" }')
            echo "| $name | $rows | $(wc -l <"$WORK/times/prop-$name") | $dm | $bm | $pm | **$tm** | $dom |"
        done
        echo
        echo "A deployment adds its polling interval (how often refresh.sh runs) and the rollout itself" \
            "(pulling one data layer and starting amberd: ~10 ms to the first answer, see \"server\")."
    } >"$body"
    cat "$body"
    doc_section propagation "$body"
    note "propagation: written to ${DOC#"$ROOT"/}"
}
