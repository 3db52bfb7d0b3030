#!/usr/bin/env bash
# test_amberd.sh — the server end to end over real sockets: every route and format, pagination,
# every error status the server or the API can answer (and that it keeps serving after each
# hostile request), keep-alive, pipelining, HEAD, ETag/304, CORS, /metrics, the access log, the
# limits (slow client, body, URL, headers, time limit) and a SIGTERM drain. Always drives the
# release bin/amberd (there is no sanitizer build of the server).
. "$(dirname "$0")/lib.sh"
SAMPLE=$ROOT/samples/geonames/cities500-extract.txt
AMBERD=${AMBERD_BIN:-$ROOT/bin/amberd}
cd "$WORK" || exit 1
ROWS=$(wc -l <"$SAMPLE")

# start_amberd LOG ARGS...: starts amberd on 127.0.0.1 port 0, sets PID and PORT from its start line.
start_amberd() {
	local log=$1
	shift
	start_server "$log" "$AMBERD" --listen 127.0.0.1:0 "$@"
}

"$AMBER" convert -q -f geonames "$SAMPLE" -o geo.db
sqlite3 geo.db "INSERT INTO _amber_queries (name, sql, description) VALUES ('by_country',
	'select geonameid, name, population from geoname where country_code = :cc order by population desc limit 10',
	'the ten largest places of a country')"
ID=$(sqlite3 geo.db 'SELECT geonameid FROM geoname ORDER BY geonameid LIMIT 1 OFFSET 100')
NAME=$(sqlite3 geo.db "SELECT name FROM geoname WHERE geonameid = $ID")

# --- refusing to start ---------------------------------------------------------------------------
check_fails "refuses a missing database" "no-such.db" "$AMBERD" --db no-such.db --listen 127.0.0.1:0
head -c 8192 /dev/urandom >junk.db
check_fails "refuses a file that is not an amber database" "junk.db" "$AMBERD" --db junk.db --listen 127.0.0.1:0
check_fails "refuses a bad --listen" "listen" "$AMBERD" --db geo.db --listen nowhere
check_fails "refuses an unknown option" "unknown option" "$AMBERD" --db geo.db --bogus
check "--help and --version" bash -c "'$AMBERD' --help | grep -q -- --time-limit-ms && '$AMBERD' --version | grep -q '^amberd '"

# --- the main server -----------------------------------------------------------------------------
if ! start_amberd main.log --db geo.db --threads 2 --time-limit-ms 200 --slow-client-timeout-ms 400 \
	--cors https://example.org --access-log; then
	not_ok "amberd starts" "$(cat main.log)"
	finish
	exit 1
fi
ok "amberd starts on a free port and says where"
check "start line names the database, tables and threads" grep -q "^amberd: serving geo.db (1 table) on 127.0.0.1:$PORT with 2 threads" main.log
U=http://127.0.0.1:$PORT

# req ARGS...: curl into body (headers into head), prints the status.
req() { rm -f head body; curl -s -D head -o body -w '%{http_code}' "$@"; touch head body; }
# expect NAME STATUS ARGS...: the request answers STATUS (and, for errors, a JSON error body).
expect() {
	local name=$1 want=$2 got
	shift 2
	got=$(req "$@")
	if [ "$got" != "$want" ]; then
		not_ok "$name" "status $got, want $want: $(head -c 300 body)"
	elif [ "$want" -ge 400 ] && [ "$want" != 408 ] && ! jq -e '.error.code and .error.message' body >/dev/null 2>&1; then
		not_ok "$name" "not a JSON error: $(head -c 300 body)"
	else
		ok "$name"
	fi
}
healthy() { [ "$(curl -s --max-time 5 "$U/healthz")" = '{"status":"ok"}' ]; }
# expect_then_healthy: the same, then the server still answers /healthz.
expect_then_healthy() {
	expect "$@"
	check "  ... and the server still answers" healthy
}

# --- routes and formats --------------------------------------------------------------------------
expect "GET /healthz" 200 "$U/healthz"
check "  ... says ok" test "$(cat body)" = '{"status":"ok"}'
expect "GET /readyz" 200 "$U/readyz"
expect "GET /v1/meta" 200 "$U/v1/meta"
check "  ... with the database file's sha256 (hashed in the background)" test "$(jq -r .sha256 body)" = "$(sha256sum geo.db | cut -c1-64)"
check "  ... lists geoname with its row count and the canned query" test \
	"$(jq -r '[(.tables[] | select(.name == "geoname") | .rows), (.queries[] | .name)] | join(" ")' body)" = "$ROWS by_country"
expect "GET /v1/tables/geoname" 200 "$U/v1/tables/geoname?_limit=5"
check "  ... columns and five rows" test "$(jq -r '[.columns[0], (.rows | length)] | join(" ")' body)" = "geonameid 5"
check "  ... JSON content type" grep -qi '^content-type: application/json' head
expect "_shape=objects" 200 "$U/v1/tables/geoname?_limit=2&_shape=objects"
check "  ... gives objects" test "$(jq -r '.[0] | has("geonameid") and has("name")' body 2>/dev/null || jq -r '.rows[0] | has("geonameid")' body)" = true
expect "_format=csv" 200 "$U/v1/tables/geoname?_limit=3&_format=csv&_select=geonameid,name"
check "  ... a header row and three rows" test "$(head -1 body | tr -d '\r'),$(wc -l <body)" = "geonameid,name,4"
check "  ... CSV content type" grep -qi '^content-type: text/csv' head
expect "_format=ndjson" 200 "$U/v1/tables/geoname?_limit=3&_format=ndjson"
check "  ... three JSON lines" test "$(jq -c . body | wc -l)" = 3
expect "Accept: text/csv chooses CSV" 200 -H 'Accept: text/csv' "$U/v1/tables/geoname?_limit=1"
check "  ... CSV" grep -qi '^content-type: text/csv' head
expect "equality filter" 200 "$U/v1/tables/geoname?country_code=CH&_limit=1000&_select=country_code"
check "  ... only CH rows" test "$(jq -r '[.rows[][0]] | unique | join(",")' body)" = CH
expect "pk lookup" 200 "$U/v1/tables/geoname/$ID"
check "  ... the right row" grep -qF "\"$NAME\"" body
expect_then_healthy "pk lookup of an absent row: 404" 404 "$U/v1/tables/geoname/999999999"

# Pagination: follow `next` to the end; every row exactly once.
walk() {
	local url="$U/v1/tables/geoname?_limit=700&_select=geonameid" next pages=0
	: >ids
	while :; do
		curl -sf "$url" >page || return 1
		jq -r '.rows[][0]' page >>ids
		pages=$((pages + 1))
		next=$(jq -r '.next // empty' page)
		[ -z "$next" ] && break
		[ $pages -gt 20 ] && return 1
		url="$U/v1/tables/geoname?_limit=700&_select=geonameid&_after=$(jq -rn --arg c "$next" '$c | @uri')"
	done
	[ "$(sort -u ids | wc -l)" = "$ROWS" ] && [ "$(wc -l <ids)" = "$ROWS" ] && [ $pages = 6 ]
}
check "pagination walk: 6 pages of 700, every row once" walk

expect "GET /v1/query" 200 -G --data-urlencode "sql=SELECT count(*) AS n FROM geoname WHERE population > :p" --data-urlencode p=100000 "$U/v1/query"
check "  ... counts" test "$(jq -r '.rows[0][0]' body)" = "$(sqlite3 geo.db 'SELECT count(*) FROM geoname WHERE population > 100000')"
expect "POST /v1/query (JSON body)" 200 -H 'Content-Type: application/json' \
	--data '{"sql":"SELECT name FROM geoname WHERE geonameid = :id","params":{"id":'"$ID"'}}' "$U/v1/query"
check "  ... the row" grep -qF "\"$NAME\"" body
expect "canned query" 200 "$U/v1/queries/by_country?cc=CH"
check "  ... ten rows, largest first" test "$(jq -r '[(.rows | length), .rows[0][1]] | join(" ")' body)" = \
	"10 $(sqlite3 geo.db "SELECT name FROM geoname WHERE country_code = 'CH' ORDER BY population DESC LIMIT 1")"
expect "a large result streams (chunked)" 200 "$U/v1/tables/geoname?_limit=1000"
check "  ... Transfer-Encoding: chunked, 1000 rows" bash -c "grep -qi '^transfer-encoding: chunked' head && [ \"\$(jq '.rows | length' body)\" = 1000 ]"
check "HTTP/1.0 gets the same document, close-delimited" bash -c \
	"[ \"\$(curl -s -0 '$U/v1/tables/geoname?_limit=1000' | jq '.rows | length')\" = 1000 ]"

# --- errors --------------------------------------------------------------------------------------
expect_then_healthy "404 unknown route" 404 "$U/nope"
expect_then_healthy "404 unknown table" 404 "$U/v1/tables/nope"
expect_then_healthy "404 unknown query" 404 "$U/v1/queries/nope"
expect_then_healthy "405 DELETE on a route" 405 -X DELETE "$U/v1/meta"
check "  ... with Allow" grep -qi '^allow: GET' head
expect_then_healthy "405 POST on /healthz" 405 -X POST -d x "$U/healthz"
expect_then_healthy "400 bad SQL" 400 -G --data-urlencode "sql=SELEC nonsense" "$U/v1/query"
for sql in "DELETE FROM geoname" "INSERT INTO geoname(geonameid) VALUES (1)" "UPDATE geoname SET name = 'x'" \
	"DROP TABLE geoname" "CREATE TABLE t(x)" "ATTACH DATABASE 'other.db' AS o" "PRAGMA writable_schema = 1" \
	"VACUUM INTO '$WORK/copy.db'" "SELECT load_extension('/nonexistent')"; do
	expect_then_healthy "403 $sql" 403 -G --data-urlencode "sql=$sql" "$U/v1/query"
done
check "VACUUM INTO left no file" test ! -e "$WORK/copy.db"
check "ATTACH left no file" test ! -e "$WORK/other.db"
check "the database is unchanged" test "$(sqlite3 geo.db 'SELECT count(*) FROM geoname')" = "$ROWS"
expect_then_healthy "400 malformed request line" 400 --request-target 'no-slash' "$U/"
head -c 2000000 /dev/zero | tr '\0' a >big
expect_then_healthy "413 a 2 MB body" 413 -H 'Content-Type: text/plain' --data-binary @big "$U/v1/query"
expect_then_healthy "414 a 9000-byte URL" 414 "$U/v1/tables/geoname?x=$(head -c 9000 big)"
expect_then_healthy "431 a 40 kB header" 431 -H "X-Big: $(head -c 40000 big)" "$U/healthz"
expect_then_healthy "503 past the time limit" 503 -G --data-urlencode \
	"sql=WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c" "$U/v1/query"
check "  ... within the limit + 100 ms" bash -c "t=\$(curl -s -o /dev/null -w '%{time_total}' -G --data-urlencode \
	'sql=WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c' '$U/v1/query'); \
	awk -v t=\$t 'BEGIN { exit !(t < 0.3) }'"

# raw: sends stdin to the server on a fresh connection, prints what comes back (server closes,
# or 3 s pass).
raw() { timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; cat >&3; cat <&3" 2>/dev/null; true; }
slow_client() {
	timeout 4 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n' >&3; cat <&3" >slow.out 2>/dev/null
	grep -q '^HTTP/1.1 408' slow.out
}
check "408 a client that sends half a head and waits" slow_client
check "  ... and the server still answers" healthy
http2() { printf 'GET / HTTP/2.0\r\n\r\n' | raw | grep -q '^HTTP/1.1 505'; }
check "505 HTTP/2.0 request line" http2
check "  ... and the server still answers" healthy
garbage() { { printf 'GET /'; head -c 3000 /dev/urandom; printf '\r\n\r\n'; } | raw | grep -aq '^HTTP/1.1 400'; }
check "garbage bytes: 400" garbage
check "  ... and the server still answers" healthy
check "a client that connects and leaves" bash -c "for i in 1 2 3 4 5; do (exec 3<>/dev/tcp/127.0.0.1/$PORT); done"
check "  ... and the server still answers" healthy

# --- connections ---------------------------------------------------------------------------------
check "keep-alive: two requests, one connection" test \
	"$(curl -s -o /dev/null -o /dev/null -w '%{num_connects}\n' "$U/healthz" "$U/v1/meta" | tr '\n' ' ')" = "1 0 "
pipeline() {
	printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/tables/geoname/%s HTTP/1.1\r\nHost: x\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' "$ID" | raw >pipe.out
	[ "$(grep -ao 'HTTP/1.1 200 OK' pipe.out | wc -l)" = 3 ] && grep -qF "$NAME" pipe.out && tail -1 pipe.out | grep -qF '{"status":"ready"}'
}
check "pipelining: three requests in one write, three answers in order" pipeline
http10() { printf 'GET /healthz HTTP/1.0\r\n\r\n' | raw | grep -q '{"status":"ok"}'; }
check "HTTP/1.0 without keep-alive: answered, then closed" http10
http10ka() { printf 'GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /readyz HTTP/1.0\r\n\r\n' | raw >ka.out; grep -qi '^connection: keep-alive' ka.out && grep -q '{"status":"ready"}' ka.out; }
check "HTTP/1.0 with Connection: keep-alive stays open" http10ka
check "Expect: 100-continue gets 100 Continue" bash -c "curl -s -v -H 'Expect: 100-continue' -H 'Content-Type: text/plain' \
	--data-binary 'SELECT 1' '$U/v1/query' 2>&1 | grep -q '< HTTP/1.1 100 Continue'"

# --- HEAD, caching, CORS -------------------------------------------------------------------------
expect "HEAD" 200 -I "$U/v1/tables/geoname/$ID"
check "  ... no body, same length as GET" bash -c "cmp -s head body && [ \"\$(grep -i '^content-length' head | tr -dc 0-9)\" = \"\$(curl -s '$U/v1/tables/geoname/$ID' | wc -c)\" ]"
expect "HEAD of a streamed answer" 200 -I "$U/v1/tables/geoname?_limit=1000"
check "  ... no body, chunked" bash -c "cmp -s head body && grep -qi '^transfer-encoding: chunked' head"
head_raw() { printf 'HEAD /v1/tables/geoname?_limit=1000 HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | raw >headraw.out; [ "$(grep -c '^HTTP/1.1 200' headraw.out)" = 2 ] && ! grep -q columns headraw.out; }
check "  ... the next request on the connection follows at once" head_raw
req "$U/v1/tables/geoname/$ID" >/dev/null
ETAG=$(grep -i '^etag:' head | cut -d' ' -f2 | tr -d '\r')
check "ETag on a 200: 32 hex digits, quoted" bash -c "[[ '$ETAG' =~ ^\\\"[0-9a-f]{32}\\\"\$ ]]"
check "Cache-Control: public, max-age=60" grep -qi '^cache-control: public, max-age=60' head
check "the same request gets the same ETag" test "$(curl -s -D - -o /dev/null "$U/v1/tables/geoname/$ID" | grep -i '^etag:' | cut -d' ' -f2 | tr -d '\r')" = "$ETAG"
check "another request gets another ETag" test "$(curl -s -D - -o /dev/null "$U/v1/tables/geoname/$((ID + 1))" | grep -i '^etag:' | cut -d' ' -f2 | tr -d '\r')" != "$ETAG"
check "Accept: text/csv gets another ETag (Vary: Accept)" bash -c "[ \"\$(curl -s -D - -o /dev/null -H 'Accept: text/csv' '$U/v1/tables/geoname/$ID' | grep -i '^etag:' | cut -d' ' -f2 | tr -d '\r')\" != '$ETAG' ] && grep -qi '^vary: accept' head"
expect "If-None-Match: 304" 304 -H "If-None-Match: $ETAG" "$U/v1/tables/geoname/$ID"
check "  ... no body" test ! -s body
expect "If-None-Match of another tag: 200" 200 -H 'If-None-Match: "0123456789abcdef0123456789abcdef"' "$U/v1/tables/geoname/$ID"
check "no ETag on errors" bash -c "! curl -s -D - -o /dev/null '$U/v1/tables/nope' | grep -qi '^etag:'"
check "CORS: Access-Control-Allow-Origin" grep -qi '^access-control-allow-origin: https://example.org' head
expect "CORS preflight: OPTIONS 204" 204 -X OPTIONS -H 'Origin: https://example.org' -H 'Access-Control-Request-Method: POST' "$U/v1/query"
check "  ... allows GET and POST" grep -qi '^access-control-allow-methods: .*POST' head

# --- metrics and access log ----------------------------------------------------------------------
expect "GET /metrics" 200 "$U/metrics"
check "  ... Prometheus text" grep -qi '^content-type: text/plain' head
check "  ... requests by route and status" bash -c "grep -q '^amber_requests_total{route=\"row\",status=\"200\"} [1-9]' body && grep -q '^amber_requests_total{route=\"query\",status=\"403\"} [1-9]' body && grep -q '^amber_requests_total{route=\"none\",status=\"408\"} 1$' body"
check "  ... a latency histogram" bash -c "grep -q '^amber_request_duration_seconds_bucket{le=\"+Inf\"} [1-9]' body && grep -q '^amber_request_duration_seconds_count [1-9]' body"
check "  ... rows, bytes, time-outs" bash -c "grep -q '^amber_rows_served_total [1-9]' body && grep -q '^amber_bytes_served_total [1-9]' body && grep -q '^amber_queries_timed_out_total 2$' body"
check "access log: one line per request" grep -Eq "^GET /v1/tables/geoname/$ID 200 [0-9]+ [0-9]+$" main.log

# --- SIGTERM drain -------------------------------------------------------------------------------
check_stops "SIGTERM: exits 0" TERM
if start_amberd drain.log --db geo.db --threads 2 --time-limit-ms 1500 --drain-timeout-ms 4000; then
	U=http://127.0.0.1:$PORT
	(
		exec 3<>"/dev/tcp/127.0.0.1/$PORT"
		printf 'GET /v1/query?sql=WITH%%20RECURSIVE%%20c(x)%%20AS%%20(SELECT%%201%%20UNION%%20ALL%%20SELECT%%20x%%2B1%%20FROM%%20c)%%20SELECT%%20count(*)%%20FROM%%20c HTTP/1.1\r\nHost: x\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\n\r\n' >&3
		timeout 6 cat <&3 >drain.out
	) &
	CLIENT=$!
	sleep 0.5
	kill -TERM "$PID"
	sleep 0.2
	check "draining: new connections are refused" bash -c "! curl -s --max-time 1 '$U/healthz'"
	wait "$CLIENT"
	wait_exit "$PID"
	check "draining: exits 0 after the in-flight request" test $? = 0
	check "draining: the in-flight request is answered" grep -aq '^HTTP/1.1 503' drain.out
	check "draining: /readyz says 503 draining, then the connection closes" bash -c \
		"tr -d '\r' <drain.out | grep -aq '^{\"status\":\"draining\"}' && tr -d '\r' <drain.out | grep -aqi '^connection: close'"
else
	not_ok "drain server starts" "$(cat drain.log)"
fi

# --- settings from the environment ---------------------------------------------------------------
if AMBER_SQL=off AMBER_MAX_CONNECTIONS=2 start_amberd env.log --db geo.db --threads 1 && U=http://127.0.0.1:$PORT; then
	expect "AMBER_SQL=off: /v1/query is 403" 403 -G --data-urlencode "sql=SELECT 1" "$U/v1/query"
	expect "  ... canned queries still answer" 200 "$U/v1/queries/by_country?cc=CH"
	check "  ... no CORS headers without --cors" bash -c "! grep -qi '^access-control' head"
	cap() {
		exec 5<>/dev/tcp/127.0.0.1/$PORT 6<>/dev/tcp/127.0.0.1/$PORT
		sleep 0.2
		local got
		got=$(curl -s -o /dev/null -w '%{http_code}' "$U/healthz")
		exec 5>&- 6>&-
		[ "$got" = 503 ]
	}
	check "AMBER_MAX_CONNECTIONS=2: a third connection gets 503" cap
	sleep 0.2
	check "  ... and is served again once they close" healthy
	kill -TERM "$PID"
	wait_exit "$PID"
else
	not_ok "env server starts" "$(cat env.log)"
fi

finish
