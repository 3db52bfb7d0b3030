# bench/server.sh — section server: amberd against nginx under wrk (sourced by scripts/bench.sh).


AMBERD=${AMBERD:-$ROOT/bin/amberd}

# free_port -> a TCP port on 127.0.0.1 nothing listens on
free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
}

# wait_http URL : poll until URL answers 2xx (5 s at most)
wait_http() {
    local i
    for ((i = 0; i < 500; i++)); do
        curl -sf -o /dev/null "$1" && return 0
        sleep 0.01
    done
    return 1
}

# stop_pid PID : SIGTERM, wait for it to end
stop_pid() {
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

# server_wrk LABEL PORT LUA : one wrk run; leaves "rps p50_ms p99_ms" in $WORK/times/LABEL
server_wrk() {
    local label=$1 port=$2 lua=$3 out=$WORK/server/wrk-$1.txt
    wrk -t2 -c64 -d"${BENCH_SECONDS:-10}s" --latency -s "$lua" "http://127.0.0.1:$port" >"$out" 2>&1 ||
        die "wrk failed against $label: $(tail -n 5 "$out")"
    if grep -q 'Non-2xx' "$out"; then die "$label: wrk saw non-2xx answers: $(grep Non-2xx "$out")"; fi
    # Connection errors fail the run; wrk's own 2 s timeouts (a queue of slow queries) do not.
    if grep -Eq 'Socket errors: connect [1-9]|read [1-9]|write [1-9]' "$out"; then
        die "$label: wrk saw socket errors: $(grep 'Socket errors' "$out")"
    fi
    awk '
        function ms(v) { if (v ~ /us$/) return v * 0.001; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        /Requests\/sec:/ { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        END { printf "%.0f %.2f %.2f\n", rps, p50, p99 }' "$out" >>"$WORK/times/$label"
}

# server_lua FILE PATH_PREFIX VALUES_FILE : a wrk script cycling through PATH_PREFIX + each value
server_lua() {
    {
        echo "local v = {"
        sed 's/.*/  "&",/' "$3"
        echo "}"
        echo "local i = 0"
        echo "request = function()"
        echo "  i = i + 1"
        echo "  return wrk.format(\"GET\", \"$2\" .. v[(i % #v) + 1])"
        echo "end"
    } >"$1"
}

# start_amberd_bench PORT ARGS... : starts amberd (2 threads), sets SPID, waits for it to answer
start_amberd_bench() {
    local port=$1
    shift
    "$AMBERD" --db "$WORK/server/geo.db" --listen "127.0.0.1:$port" --threads 2 "$@" 2>>"$WORK/server/amberd.log" &
    SPID=$!
    wait_http "http://127.0.0.1:$port/healthz" || die "amberd did not start: $(tail -n 3 "$WORK/server/amberd.log")"
}

# write_nginx_conf DIR PORT : nginx serving DIR/www/row.json to every path, everything under DIR
write_nginx_conf() {
    local d=$1
    {
        echo "worker_processes 2;"
        echo "daemon off;"
        echo "pid $d/nginx.pid;"
        echo "error_log $d/nginx-error.log warn;"
        echo "events { worker_connections 1024; }"
        echo "http {"
        echo "    access_log off;"
        for t in client_body proxy fastcgi uwsgi scgi; do echo "    ${t}_temp_path $d/nginx-tmp/$t;"; done
        echo "    default_type application/json;"
        echo "    server {"
        echo "        listen 127.0.0.1:$2;"
        echo "        root $d/www;"
        echo "        location / { try_files /row.json =404; }"
        echo "    }"
        echo "}"
    } >"$d/nginx.conf"
}

bench_server() {
    local src=${AMBER_GEONAMES:-$(dirname "$ROOT")/shared/data/geonames/cities500.txt.zst}
    if [ ! -f "$src" ]; then
        echo "bench server: skipped: GeoNames data not found at $src (set AMBER_GEONAMES)."
        return 0
    fi
    for t in wrk nginx curl sqlite3 jq; do command -v $t >/dev/null || die "$t not found (scripts/deps.sh installs it)"; done
    [ -x "$AMBERD" ] || die "$AMBERD not found; run \`make bench\` (it builds bin/amberd first)"
    local d=$WORK/server
    mkdir -p "$d/www" "$d/nginx-tmp"
    convert_prepare "$src"
    if [ ! -f "$d/geo.db" ] || [ "$WORK/convert/cities500.txt" -nt "$d/geo.db" ]; then
        note "server: building the database (not timed)"
        "$AMBER" convert -q -f geonames --force "$WORK/convert/cities500.txt" -o "$d/geo.db"
    fi
    local rows
    rows=$(rows_of "$d/geo.db")
    # About 1000 ids spread evenly over the table; name prefixes for the LIKE search.
    sqlite3 -readonly "$d/geo.db" "SELECT geonameid FROM (SELECT geonameid, row_number() OVER (ORDER BY geonameid) AS n
        FROM geoname) WHERE n % $((rows / 1000 + 1)) = 0" >"$d/ids.txt"
    sqlite3 -readonly "$d/geo.db" "SELECT DISTINCT substr(name, 1, 3) FROM geoname WHERE name GLOB '[A-Z][a-z][a-z]*'
        ORDER BY 1 LIMIT 300" >"$d/prefixes.txt"
    server_lua "$d/pk.lua" /v1/tables/geoname/ "$d/ids.txt"
    local like glob group
    like=$(jq -rn '"SELECT geonameid, name, country_code FROM geoname WHERE name LIKE :p ORDER BY name LIMIT 10" | @uri')
    glob=$(jq -rn '"SELECT geonameid, name, country_code FROM geoname WHERE name GLOB :p ORDER BY name LIMIT 10" | @uri')
    group=$(jq -rn '"SELECT country_code, count(*) AS n, max(population) AS biggest FROM geoname GROUP BY country_code ORDER BY n DESC" | @uri')
    sed 's/$/%25/' "$d/prefixes.txt" >"$d/like.txt"
    sed 's/$/*/' "$d/prefixes.txt" >"$d/glob.txt"
    server_lua "$d/like.lua" "/v1/query?sql=$like&p=" "$d/like.txt"
    server_lua "$d/glob.lua" "/v1/query?sql=$glob&p=" "$d/glob.txt"
    echo 1 >"$d/one.txt"
    server_lua "$d/group.lua" "/v1/query?sql=$group&_=" "$d/one.txt"
    : >"$d/amberd.log"

    # Start-up: from exec to the first answered pk lookup, median of 7.
    local port i t0 t1 first=$d/first.txt id
    id=$(head -n 1 "$d/ids.txt")
    port=$(free_port)
    : >"$first"
    for ((i = 0; i < 7; i++)); do
        t0=$(date +%s%N)
        "$AMBERD" --db "$d/geo.db" --listen "127.0.0.1:$port" --threads 2 2>>"$d/amberd.log" &
        SPID=$!
        wait_http "http://127.0.0.1:$port/v1/tables/geoname/$id" || die "amberd did not start"
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000000)) >>"$first"
        stop_pid $SPID
    done
    local start_ms
    start_ms=$(sort -n "$first" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')

    # The pk workload: amberd, amberd --immutable off and nginx in alternating rounds (the
    # machine is shared and noisy), rotating which goes first; medians are reported.
    local idle load r k rounds=${BENCH_ROUNDS:-3} order=(amberd amberd-mut nginx)
    rm -f "$WORK/times/"amberd* "$WORK/times/nginx"
    start_amberd_bench "$port"
    sleep 0.2
    idle=$(rss_kib $SPID)
    curl -sf "http://127.0.0.1:$port/v1/tables/geoname/$id" >"$d/www/row.json"
    curl -sf "http://127.0.0.1:$port/v1/query?sql=$like&p=Abc%25" | jq -e '.rows' >/dev/null || die "the LIKE query fails"
    curl -sf "http://127.0.0.1:$port/v1/query?sql=$group" | jq -e '.rows' >/dev/null || die "the GROUP BY query fails"
    stop_pid $SPID
    chmod -R a+rX "$d/www"
    write_nginx_conf "$d" "$port"
    for ((r = 1; r <= rounds; r++)); do
        for ((i = 0; i < 3; i++)); do
            k=${order[(i + r - 1) % 3]}
            note "server: pk lookups, round $r/$rounds: $k, ${BENCH_SECONDS:-10} s"
            case $k in
            amberd) start_amberd_bench "$port" ;;
            amberd-mut) start_amberd_bench "$port" --immutable off ;;
            nginx)
                nginx -e "$d/nginx-error.log" -p "$d" -c "$d/nginx.conf" &
                SPID=$!
                wait_http "http://127.0.0.1:$port/v1/tables/geoname/$id" ||
                    die "nginx did not start: $(tail -n 3 "$d/nginx-error.log")"
                ;;
            esac
            server_wrk "$k" "$port" "$d/pk.lua"
            stop_pid $SPID
        done
    done

    # The SQL workloads, once each, on one amberd; its RSS after all of them.
    start_amberd_bench "$port"
    note "server: amberd LIKE prefix search"
    server_wrk amberd-like "$port" "$d/like.lua"
    note "server: amberd GLOB prefix search"
    server_wrk amberd-glob "$port" "$d/glob.lua"
    note "server: amberd GROUP BY"
    server_wrk amberd-group "$port" "$d/group.lua"
    server_wrk amberd-pk-after "$port" "$d/pk.lua"
    load=$(rss_kib $SPID)
    stop_pid $SPID

    local body=$WORK/server.md base
    # column N of LABEL's runs -> median
    server_median() { awk -v c="$2" '{ print $c }' "$WORK/times/$1" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
    base=$(server_median nginx 1)
    server_row() { # LABEL DESCRIPTION
        local rps p50 p99 q v="" n
        rps=$(server_median "$1" 1) p50=$(server_median "$1" 2) p99=$(server_median "$1" 3)
        n=$(wc -l <"$WORK/times/$1")
        q=$(ratio "$rps" "$base")
        case $1 in amberd | amberd-mut) if le 0.5 "$q"; then v=" ✓"; else v=" ✗"; fi ;; esac
        echo "| $2 | $n | ${rps%.*} | $p50 | $p99 | **$q**$v |"
    }
    {
        echo "## server: amberd against nginx"
        echo
        echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(machine); $(nginx -v 2>&1 | sed 's/^nginx version: //'), $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)." \
            "Each row is one \`wrk -t2 -c64 -d${BENCH_SECONDS:-10}s --latency\` run on the same machine as the server" \
            "(client and server share the CPUs); both servers run 2 workers. The pk rows are medians of N" \
            "alternating rounds (each server freshly started); the SQL rows are one run each on one amberd. The" \
            "database is GeoNames cities500 ($rows rows). Target: amberd pk lookups ≥ 0.5× nginx's requests/s."
        echo
        echo "| workload | N | requests/s | p50 ms | p99 ms | ÷ nginx |"
        echo "| --- | ---: | ---: | ---: | ---: | ---: |"
        server_row nginx "nginx: a static file of the same size as a pk answer ($(stat -c %s "$d/www/row.json") bytes)"
        server_row amberd "amberd: \`GET /v1/tables/geoname/{id}\`, $(wc -l <"$d/ids.txt") ids spread over the table"
        server_row amberd-mut "amberd \`--immutable off\`: the same"
        server_row amberd-like "amberd: \`/v1/query\` \`name LIKE :p ORDER BY name LIMIT 10\`, p = 'Abc%' etc., $(wc -l <"$d/prefixes.txt") prefixes (case-insensitive: scans the table)"
        server_row amberd-glob "amberd: the same with \`name GLOB :p\`, p = 'Abc*' etc. (uses the name index)"
        server_row amberd-group "amberd: \`/v1/query\` GROUP BY country_code over the whole table"
        server_row amberd-pk-after "amberd: pk lookups again, after the SQL loads (same process)"
        echo
        echo "| amberd | |"
        echo "| --- | ---: |"
        echo "| binary (static, stripped) | $(mib "$(($(stat -c %s "$AMBERD") / 1024))") MiB |"
        echo "| RSS idle, after start | $(mib "$idle") MiB |"
        echo "| RSS after the pk, LIKE, GLOB and GROUP BY loads (the database is mmapped: its pages count) | $(mib "$load") MiB |"
        echo "| start → first pk answer (median of 7, includes curl's start) | $start_ms ms |"
        echo
        echo "Every answer was a 2xx (a run with any other status aborts the benchmark). nginx answers every" \
            "request with the same file (\`try_files\`), \`access_log off\`; amberd runs with its defaults" \
            "(access log off, ETag and Cache-Control computed per request; wrk sends no If-None-Match)."
    } >"$body"
    cat "$body"
    doc_section server "$body"
    note "server: written to ${DOC#"$ROOT"/}"
}

