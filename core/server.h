/* server.h — amberd's HTTP server: N worker threads, each with its own epoll loop, its own
 * SO_REUSEPORT listening socket, its own struct api (SQLite connection) and its own connections,
 * so nothing is shared or locked on the request path.
 *
 * The server parses requests with core/http, answers /healthz, /readyz and /metrics itself and
 * hands everything else to core/api. It adds ETag (a pure function of the database identity and
 * the request), If-None-Match → 304, Cache-Control, CORS, keep-alive, pipelining, chunked
 * streaming of large results with bounded memory per connection, and every limit: head and body
 * sizes, idle and slow-client timeouts, a connection cap per worker. SIGTERM or SIGINT drains:
 * /readyz turns 503, listeners close, in-flight requests finish, then server_run returns. */
#ifndef AMBER_SERVER_H
#define AMBER_SERVER_H

#include "core/api.h"
#include "core/error.h"

#include <stdint.h>

struct server_config {
	struct api_config api;	    /* db_sha256 is filled in by the server */
	const char *listen;	    /* "ADDR:PORT", "[V6]:PORT" or ":PORT"; port 0 picks a free one */
	int threads;		    /* worker threads; 0: one per online CPU */
	int max_connections;	    /* per worker; more are answered 503 and closed */
	uint64_t max_body_bytes;    /* request body cap; larger: 413 */
	int idle_timeout_ms;	    /* keep-alive connection with no request, or a client not reading */
	int slow_client_timeout_ms; /* a request head or body not complete in this time: 408 */
	int drain_timeout_ms;	    /* SIGTERM: in-flight requests get this long */
	const char *cors_origin;    /* NULL: no CORS headers */
	int cache_max_age;	    /* seconds, for Cache-Control on 200 answers */
	int access_log_fd;	    /* -1: off; else one line per request, one write() per line */
	/* Called once every listener is bound, before any request is served: the address and
	 * the port actually bound (useful with port 0) and the number of threads. */
	void (*on_listening)(void *ctx, const char *addr, int port, int threads);
	void *ctx;
};

/* Fills cfg with the defaults (listen 0.0.0.0:8080, one thread per CPU, 1024 connections per
 * worker, 1 MiB bodies, 30 s idle, 10 s slow client, 5 s drain, max-age 60, access log off). */
void server_config_init(struct server_config *cfg);

/* Opens the database once per worker, binds the listeners, serves until SIGTERM or SIGINT,
 * drains and returns 0. -1 with err set when it cannot start (database, address). Blocks
 * SIGTERM and SIGINT in the calling thread and the workers (it waits for them with sigwait)
 * and ignores SIGPIPE. */
int server_run(struct server_config *cfg, struct amber_error *err);

#endif
