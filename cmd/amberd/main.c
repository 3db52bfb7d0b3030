/* main.c — amberd, the read-only HTTP query server that lives in the image.
 *
 * Reads its settings from AMBER_* environment variables, then from flags (flags win), checks
 * the database once (so a missing, corrupt or non-amber file is refused with one clear line
 * before anything listens), and hands over to server_run (core/server), which serves until
 * SIGTERM or SIGINT, drains and returns. */
#include "core/error.h"
#include "core/loader.h"
#include "core/server.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static const char usage[] =
    "usage: amberd --db PATH [options]\n"
    "\n"
    "Serves one amber database read-only over HTTP (API v1; see docs). Every option can also be\n"
    "given as an environment variable (shown on the right); flags win.\n"
    "\n"
    "  --db PATH                  the database (required)                          AMBER_DB\n"
    "  --listen ADDR:PORT         address; port 0 picks a free one [0.0.0.0:8080]  AMBER_LISTEN\n"
    "  --threads N                worker threads [one per CPU]                     AMBER_THREADS\n"
    "  --time-limit-ms N          per query [1000]                                 AMBER_TIME_LIMIT_MS\n"
    "  --max-rows N               per response [1000]                              AMBER_MAX_ROWS\n"
    "  --max-response-bytes N     per response body [16777216]                     AMBER_MAX_RESPONSE_BYTES\n"
    "  --max-body-bytes N         per request body; larger: 413 [1048576]          AMBER_MAX_BODY_BYTES\n"
    "  --max-connections N        per worker thread; more: 503 [1024]              AMBER_MAX_CONNECTIONS\n"
    "  --sql on|off               the /v1/query route [on]                         AMBER_SQL\n"
    "  --cors ORIGIN              send Access-Control-Allow-Origin: ORIGIN [off]   AMBER_CORS\n"
    "  --access-log               one line per request on stderr [off]             AMBER_ACCESS_LOG=1\n"
    "  --cache-max-age S          Cache-Control max-age of 200 answers [60]        AMBER_CACHE_MAX_AGE\n"
    "  --idle-timeout-ms N        idle keep-alive connections close [30000]        AMBER_IDLE_TIMEOUT_MS\n"
    "  --slow-client-timeout-ms N a request not complete in time: 408 [10000]      "
    "AMBER_SLOW_CLIENT_TIMEOUT_MS\n"
    "  --drain-timeout-ms N       on SIGTERM, in-flight requests get this [5000]   AMBER_DRAIN_TIMEOUT_MS\n"
    "  --immutable on|off         off: plain read-only open (benchmarks only) [on] AMBER_IMMUTABLE\n"
    "  --help, --version\n"
    "\n"
    "Routes: /healthz, /readyz (503 while draining), /metrics (Prometheus), /v1/meta,\n"
    "/v1/tables/{t}, /v1/tables/{t}/{pk}, /v1/query, /v1/queries/{name}.\n";

enum opt_kind { OPT_STR, OPT_INT, OPT_U64, OPT_BOOL, OPT_FLAG };

struct opt {
	const char *flag;
	const char *env;
	enum opt_kind kind;
	void *dest;
	long long min, max;
};

static int parse_value(const struct opt *o, const char *v, const char *from)
{
	if (o->kind == OPT_STR) {
		*(const char **)o->dest = v;
		return 0;
	}
	if (o->kind == OPT_BOOL || o->kind == OPT_FLAG) {
		if (!strcmp(v, "on") || !strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes"))
			*(int *)o->dest = 1;
		else if (!strcmp(v, "off") || !strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no"))
			*(int *)o->dest = 0;
		else {
			fprintf(stderr, "amberd: %s: expected on or off, got '%s'\n", from, v);
			return -1;
		}
		return 0;
	}
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno || end == v || *end || n < o->min || n > o->max) {
		fprintf(stderr, "amberd: %s: expected a number from %lld to %lld, got '%s'\n", from, o->min,
			o->max, v);
		return -1;
	}
	if (o->kind == OPT_INT)
		*(int *)o->dest = (int)n;
	else if (o->kind == OPT_U64)
		*(uint64_t *)o->dest = (uint64_t)n;
	return 0;
}

/* Counts the user tables, for the start line. */
static int count_tables(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int n = -1;
	char uri[PATH_MAX + 32];
	snprintf(uri, sizeof uri, "file:%s?immutable=1", path);
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db,
			       "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
			       "'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_amber\\_%' ESCAPE '\\'",
			       -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return n;
}

struct start_info {
	const char *db;
	int tables;
};

static void on_listening(void *ctx, const char *addr, int port, int threads)
{
	const struct start_info *s = ctx;
	fprintf(stderr, "amberd: serving %s (%d table%s) on %s:%d with %d thread%s\n", s->db, s->tables,
		s->tables == 1 ? "" : "s", addr, port, threads, threads == 1 ? "" : "s");
	fflush(stderr);
}

int main(int argc, char **argv)
{
	struct server_config cfg;
	server_config_init(&cfg);
	uint64_t max_rows = (uint64_t)cfg.api.max_rows;
	int access_log = 0;
	const struct opt opts[] = {
	    {"--db", "AMBER_DB", OPT_STR, &cfg.api.db_path, 0, 0},
	    {"--listen", "AMBER_LISTEN", OPT_STR, &cfg.listen, 0, 0},
	    {"--threads", "AMBER_THREADS", OPT_INT, &cfg.threads, 0, 256},
	    {"--time-limit-ms", "AMBER_TIME_LIMIT_MS", OPT_INT, &cfg.api.time_limit_ms, 1, 3600000},
	    {"--max-rows", "AMBER_MAX_ROWS", OPT_U64, &max_rows, 1, 100000000},
	    {"--max-response-bytes", "AMBER_MAX_RESPONSE_BYTES", OPT_U64, &cfg.api.max_response_bytes, 1024,
	     1LL << 40},
	    {"--max-body-bytes", "AMBER_MAX_BODY_BYTES", OPT_U64, &cfg.max_body_bytes, 0, 64LL << 20},
	    {"--max-connections", "AMBER_MAX_CONNECTIONS", OPT_INT, &cfg.max_connections, 1, 1000000},
	    {"--sql", "AMBER_SQL", OPT_BOOL, &cfg.api.sql_enabled, 0, 0},
	    {"--cors", "AMBER_CORS", OPT_STR, &cfg.cors_origin, 0, 0},
	    {"--access-log", "AMBER_ACCESS_LOG", OPT_FLAG, &access_log, 0, 0},
	    {"--cache-max-age", "AMBER_CACHE_MAX_AGE", OPT_INT, &cfg.cache_max_age, 0, 31536000},
	    {"--idle-timeout-ms", "AMBER_IDLE_TIMEOUT_MS", OPT_INT, &cfg.idle_timeout_ms, 100, 86400000},
	    {"--slow-client-timeout-ms", "AMBER_SLOW_CLIENT_TIMEOUT_MS", OPT_INT, &cfg.slow_client_timeout_ms,
	     100, 86400000},
	    {"--drain-timeout-ms", "AMBER_DRAIN_TIMEOUT_MS", OPT_INT, &cfg.drain_timeout_ms, 0, 3600000},
	    {"--immutable", "AMBER_IMMUTABLE", OPT_BOOL, &cfg.api.immutable, 0, 0},
	};
	const size_t nopts = sizeof opts / sizeof opts[0];

	for (size_t i = 0; i < nopts; i++) {
		const char *v = getenv(opts[i].env);
		if (v && *v && parse_value(&opts[i], v, opts[i].env) < 0)
			return 2;
	}
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			fputs(usage, stdout);
			return 0;
		}
		if (!strcmp(arg, "--version")) {
			printf("amberd %s\n", AMBER_VERSION);
			return 0;
		}
		const struct opt *o = NULL;
		const char *value = NULL;
		for (size_t k = 0; k < nopts && !o; k++) {
			size_t fl = strlen(opts[k].flag);
			if (!strncmp(arg, opts[k].flag, fl) && (arg[fl] == '\0' || arg[fl] == '=')) {
				o = &opts[k];
				if (arg[fl] == '=')
					value = arg + fl + 1;
			}
		}
		if (!o) {
			fprintf(stderr, "amberd: unknown option '%s' (see amberd --help)\n", arg);
			return 2;
		}
		if (!value && o->kind == OPT_FLAG) {
			*(int *)o->dest = 1;
			continue;
		}
		if (!value) {
			if (i + 1 >= argc) {
				fprintf(stderr, "amberd: %s needs a value\n", o->flag);
				return 2;
			}
			value = argv[++i];
		}
		if (parse_value(o, value, o->flag) < 0)
			return 2;
	}
	if (!cfg.api.db_path || !*cfg.api.db_path) {
		fputs("amberd: --db PATH is required (or AMBER_DB); see amberd --help\n", stderr);
		return 2;
	}
	if (cfg.cors_origin && (!*cfg.cors_origin || strpbrk(cfg.cors_origin, "\r\n"))) {
		fputs("amberd: --cors: expected an origin such as https://example.org or *\n", stderr);
		return 2;
	}
	cfg.api.max_rows = (long)max_rows;
	cfg.access_log_fd = access_log ? STDERR_FILENO : -1;
	if (access(cfg.api.db_path, R_OK) != 0) {
		fprintf(stderr, "amberd: %s: %s\n", cfg.api.db_path, strerror(errno));
		return 1;
	}

	/* Up to the hard limit: every connection is a descriptor. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	struct start_info info = {cfg.api.db_path, count_tables(cfg.api.db_path)};
	cfg.on_listening = on_listening;
	cfg.ctx = &info;
	struct amber_error err;
	amber_error_clear(&err);
	if (server_run(&cfg, &err) < 0) {
		amber_error_print(&err, "amberd", stderr);
		return 1;
	}
	fputs("amberd: stopped\n", stderr);
	return 0;
}
