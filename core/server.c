/* server.c — amberd's event loops (see server.h).
 *
 * Each worker owns an epoll instance (level-triggered), a SO_REUSEPORT listener, an eventfd the
 * main thread uses to wake it on SIGTERM, a struct api and a list of connections. A connection
 * is read into `in` only while nothing is waiting to be sent: output is queued in `out` (headers
 * and small bodies) and `body` (a large complete body, moved from the api response, not copied),
 * and a streamed body is pulled from api_stream_next only when that queue is below OUT_HIGH, so
 * memory per connection stays bounded however large the result. Timers are checked by scanning
 * the connection list a few times a second: one clock read per loop, no timer structure. */
#include "core/server.h"

#include "core/buf.h"
#include "core/digest.h"
#include "core/http.h"

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define OUT_HIGH	(64 * 1024) /* stop producing output above this many unsent bytes */
#define STREAM_WANT	(32 * 1024) /* bytes asked of api_stream_next at a time */
#define READ_CHUNK	(16 * 1024)
#define INLINE_BODY_MAX (16 * 1024) /* smaller bodies are copied behind the headers: one send */
#define MAX_EVENTS	256
#define SCAN_EVERY_MS	250
#define STALE_MS	20 /* a request this old when its turn comes is checked for a gone client */

/* ---------------------------------------------------------------- metrics */

enum route {
	ROUTE_HEALTHZ,
	ROUTE_READYZ,
	ROUTE_METRICS,
	ROUTE_META,
	ROUTE_TABLE,
	ROUTE_ROW,
	ROUTE_QUERY,
	ROUTE_QUERIES,
	ROUTE_NONE,
	ROUTE_COUNT
};
static const char *const route_names[ROUTE_COUNT] = {"healthz", "readyz", "metrics", "meta", "table",
						     "row",	"query",  "queries", "none"};

static const int known_statuses[] = {200, 204, 304, 400, 403, 404, 405, 408,
				     413, 414, 415, 431, 500, 501, 503, 505};
#define STATUS_COUNT ((int)(sizeof known_statuses / sizeof known_statuses[0]) + 1) /* + "other" */

static const double bucket_bounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
				       0.05,   0.1,	0.25,	0.5,   1,      2.5,   5};
#define BUCKET_COUNT ((int)(sizeof bucket_bounds / sizeof bucket_bounds[0]) + 1) /* + +Inf */

/* Written by the owning worker only (relaxed atomic stores, no lock prefix), read by whichever
 * worker answers /metrics. */
struct metrics {
	uint64_t requests[ROUTE_COUNT][STATUS_COUNT];
	uint64_t buckets[BUCKET_COUNT];
	uint64_t duration_us;
	uint64_t rows;
	uint64_t bytes;
	uint64_t timed_out;
	uint64_t connections; /* open now */
};

static inline void counter_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}
static inline uint64_t counter_get(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

static int status_index(int status)
{
	for (int i = 0; i < STATUS_COUNT - 1; i++)
		if (known_statuses[i] == status)
			return i;
	return STATUS_COUNT - 1;
}

static enum route route_of(const char *label)
{
	for (int i = ROUTE_META; i < ROUTE_NONE; i++)
		if (label && strcmp(label, route_names[i]) == 0)
			return (enum route)i;
	return ROUTE_NONE;
}

/* ---------------------------------------------------------------- state */

struct server;

struct conn {
	int fd;
	uint32_t events; /* the epoll interest now registered */
	struct conn *prev, *next;
	struct buf in; /* bytes read; requests parsed in place from in.data + in_off */
	size_t in_off;
	struct buf out; /* queued output: headers, small bodies, chunks */
	size_t out_off;
	struct buf body; /* a large complete body, sent after out */
	size_t body_off;
	struct buf chunk;	 /* scratch for api_stream_next */
	struct api_response res; /* while streaming */
	int streaming;		 /* res.stream is being pulled */
	int stream_chunked;	 /* HTTP/1.1: chunked; HTTP/1.0: close-delimited */
	int close_after;	 /* close once everything queued is sent */
	int peer_closed;	 /* read() returned 0 */
	int continue_sent;	 /* "100 Continue" already sent for the request in progress */
	int64_t req_started_ms;	 /* first byte of the request in progress; 0: none */
	int64_t last_active_ms;	 /* last read or write progress */
	/* the request whose answer is being streamed, for metrics and the access log */
	int64_t t0_us;
	enum route route;
	int status;
	uint64_t sent_body;
	char log_line[640];
};

struct worker {
	struct server *srv;
	int index;
	int ep;
	int listen_fd;
	int wake_fd;
	int reserve_fd; /* given up to accept-and-close when out of descriptors */
	struct api *api;
	struct conn *conns;
	int nconns;
	int draining;
	int64_t drain_deadline_ms;
	int64_t next_scan_ms;
	struct metrics m;
	pthread_t thread;
	char listen_tag, wake_tag; /* epoll data.ptr markers */
};

struct server {
	struct server_config *cfg;
	struct worker *workers;
	int nworkers;
	int draining;	    /* atomic: set by the signal-waiting thread */
	const char *sha256; /* atomic: published by the hashing thread */
	int hash_stop;	    /* atomic */
};

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
static int64_t now_ms(void)
{
	return now_us() / 1000;
}

/* ---------------------------------------------------------------- config */

void server_config_init(struct server_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->api.immutable = 1;
	cfg->api.time_limit_ms = 1000;
	cfg->api.max_rows = 1000;
	cfg->api.max_response_bytes = 16u << 20;
	cfg->api.sql_enabled = 1;
	cfg->listen = "0.0.0.0:8080";
	cfg->threads = 0;
	cfg->max_connections = 1024;
	cfg->max_body_bytes = 1u << 20;
	cfg->idle_timeout_ms = 30000;
	cfg->slow_client_timeout_ms = 10000;
	cfg->drain_timeout_ms = 5000;
	cfg->cache_max_age = 60;
	cfg->access_log_fd = -1;
}

/* ---------------------------------------------------------------- connections */

static size_t pending(const struct conn *c)
{
	return (c->out.len - c->out_off) + (c->body.len - c->body_off);
}

static void set_events(struct worker *w, struct conn *c, uint32_t events)
{
	if (c->events == events)
		return;
	struct epoll_event ev = {.events = events, .data.ptr = c};
	if (epoll_ctl(w->ep, EPOLL_CTL_MOD, c->fd, &ev) == 0)
		c->events = events;
}

static void conn_close(struct worker *w, struct conn *c)
{
	epoll_ctl(w->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (c->streaming)
		api_response_free(&c->res);
	buf_free(&c->in);
	buf_free(&c->out);
	buf_free(&c->body);
	buf_free(&c->chunk);
	free(c);
	w->nconns--;
	counter_add(&w->m.connections, (uint64_t)-1);
}

/* Sends what is queued. 0 (all sent or the socket is full), -1 on a dead connection. */
static int conn_flush(struct conn *c, int64_t now)
{
	while (pending(c) > 0) {
		struct iovec iov[2];
		int n = 0;
		if (c->out.len > c->out_off)
			iov[n++] = (struct iovec){c->out.data + c->out_off, c->out.len - c->out_off};
		if (c->body.len > c->body_off)
			iov[n++] = (struct iovec){c->body.data + c->body_off, c->body.len - c->body_off};
		struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)n};
		ssize_t sent = sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (sent < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -1;
		}
		c->last_active_ms = now;
		size_t s = (size_t)sent, o = c->out.len - c->out_off;
		if (s <= o) {
			c->out_off += s;
		} else {
			c->out_off = c->out.len;
			c->body_off += s - o;
		}
	}
	if (c->out_off == c->out.len) {
		c->out_off = 0;
		if (c->out.cap > 4 * OUT_HIGH)
			buf_free(&c->out);
		else
			buf_reset(&c->out);
	} else if (c->out_off > OUT_HIGH) {
		buf_consume(&c->out, c->out_off);
		c->out_off = 0;
	}
	if (c->body_off == c->body.len && c->body.data) {
		buf_free(&c->body);
		c->body_off = 0;
	}
	return 0;
}

/* ---------------------------------------------------------------- responses */

static const char *error_code(int status)
{
	switch (status) {
	case 400:
		return "bad_request";
	case 403:
		return "forbidden";
	case 404:
		return "not_found";
	case 405:
		return "method_not_allowed";
	case 408:
		return "request_timeout";
	case 413:
		return "payload_too_large";
	case 414:
		return "uri_too_long";
	case 431:
		return "headers_too_large";
	case 501:
		return "not_implemented";
	case 503:
		return "unavailable";
	case 505:
		return "http_version_not_supported";
	default:
		return "error";
	}
}

/* One access-log line: method, target (non-printable bytes as \xNN, cut at 400), status, body
 * bytes, microseconds. Prepared when the request is answered, written when the body is done. */
static void log_prepare(char *line, size_t size, const char *method, size_t mlen, const char *target,
			size_t tlen)
{
	size_t n = 0;
	for (size_t i = 0; i < mlen && i < 16 && n + 1 < size; i++)
		line[n++] = (method[i] > ' ' && method[i] < 127) ? method[i] : '?';
	if (n + 1 < size)
		line[n++] = ' ';
	for (size_t i = 0; i < tlen && i < 400 && n + 5 < size; i++) {
		unsigned char ch = (unsigned char)target[i];
		if (ch > ' ' && ch < 127 && ch != '\\') {
			line[n++] = (char)ch;
		} else {
			snprintf(line + n, 5, "\\x%02x", ch);
			n += 4;
		}
	}
	if (tlen > 400 && n + 4 < size) {
		memcpy(line + n, "...", 3);
		n += 3;
	}
	line[n] = '\0';
}

/* Counts a finished answer and writes its access-log line. */
static void request_done(struct worker *w, const char *log_line, enum route route, int status, int64_t t0_us,
			 uint64_t body_bytes, uint64_t rows, int timed_out)
{
	int64_t us = now_us() - t0_us;
	if (us < 0)
		us = 0;
	struct metrics *m = &w->m;
	counter_add(&m->requests[route][status_index(status)], 1);
	double s = (double)us / 1e6;
	int b = 0;
	while (b < BUCKET_COUNT - 1 && s > bucket_bounds[b])
		b++;
	counter_add(&m->buckets[b], 1);
	counter_add(&m->duration_us, (uint64_t)us);
	counter_add(&m->rows, rows);
	counter_add(&m->bytes, body_bytes);
	if (timed_out)
		counter_add(&m->timed_out, 1);
	int fd = w->srv->cfg->access_log_fd;
	if (fd >= 0) {
		char line[800];
		int n = snprintf(line, sizeof line, "%s %d %llu %lld\n", log_line, status,
				 (unsigned long long)body_bytes, (long long)us);
		if (n > 0) {
			if ((size_t)n >= sizeof line)
				n = sizeof line - 1;
			ssize_t r = write(fd, line, (size_t)n);
			(void)r;
		}
	}
}

struct answer {
	int status;
	const char *content_type;
	const char *etag; /* 32 hex, or NULL */
	int cacheable;	  /* Cache-Control: public, max-age */
	int no_store;
	const char *extra; /* extra header lines, or NULL */
	size_t extra_len;
	int head;	/* HEAD: headers only */
	int keep_alive; /* 0: Connection: close */
	int http10;
};

/* Queues a status line and headers; content_length < 0 means a streamed body. */
static void put_head(struct worker *w, struct conn *c, const struct answer *a, long long content_length,
		     int chunked)
{
	const struct server_config *cfg = w->srv->cfg;
	struct buf *o = &c->out;
	buf_addf(o, "HTTP/1.1 %d %s\r\n", a->status, http_status_text(a->status));
	if (a->content_type)
		buf_addf(o, "Content-Type: %s\r\n", a->content_type);
	if (content_length >= 0)
		buf_addf(o, "Content-Length: %lld\r\n", content_length);
	else if (chunked)
		buf_adds(o, "Transfer-Encoding: chunked\r\n");
	if (a->etag)
		buf_addf(o, "ETag: \"%s\"\r\n", a->etag);
	if (a->cacheable)
		buf_addf(o, "Cache-Control: public, max-age=%d\r\nVary: Accept\r\n", cfg->cache_max_age);
	else if (a->no_store)
		buf_adds(o, "Cache-Control: no-store\r\n");
	if (cfg->cors_origin) {
		buf_addf(o, "Access-Control-Allow-Origin: %s\r\n", cfg->cors_origin);
		if (strcmp(cfg->cors_origin, "*") != 0)
			buf_adds(o, "Vary: Origin\r\n");
		buf_adds(o, "Access-Control-Expose-Headers: ETag\r\n");
	}
	if (a->extra)
		buf_add(o, a->extra, a->extra_len);
	if (!a->keep_alive)
		buf_adds(o, "Connection: close\r\n");
	else if (a->http10)
		buf_adds(o, "Connection: keep-alive\r\n");
	buf_adds(o, "\r\n");
	if (!a->keep_alive)
		c->close_after = 1;
}

/* Queues a complete answer; the body is moved out of `body` when large, copied when small. */
static void put_complete(struct worker *w, struct conn *c, const struct answer *a, struct buf *body)
{
	size_t len = body ? body->len : 0;
	put_head(w, c, a, (long long)len, 0);
	if (a->head || len == 0)
		return;
	if (len <= INLINE_BODY_MAX || c->body.len > 0) {
		buf_add(&c->out, body->data, len);
	} else {
		c->body = *body;
		c->body_off = 0;
		*body = (struct buf)BUF_INIT;
	}
}

static void put_error(struct worker *w, struct conn *c, struct answer *a, const char *message)
{
	struct buf body = BUF_INIT;
	buf_addf(&body, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}\n", error_code(a->status), message);
	a->content_type = "application/json";
	a->etag = NULL;
	a->cacheable = 0;
	a->no_store = 1;
	put_complete(w, c, a, &body);
	buf_free(&body);
}

/* ---------------------------------------------------------------- own routes */

static void metrics_text(struct server *srv, struct buf *b)
{
	uint64_t req[ROUTE_COUNT][STATUS_COUNT] = {{0}}, buckets[BUCKET_COUNT] = {0};
	uint64_t dur = 0, rows = 0, bytes = 0, timed_out = 0, conns = 0;
	for (int i = 0; i < srv->nworkers; i++) {
		const struct metrics *m = &srv->workers[i].m;
		for (int r = 0; r < ROUTE_COUNT; r++)
			for (int s = 0; s < STATUS_COUNT; s++)
				req[r][s] += counter_get(&m->requests[r][s]);
		for (int k = 0; k < BUCKET_COUNT; k++)
			buckets[k] += counter_get(&m->buckets[k]);
		dur += counter_get(&m->duration_us);
		rows += counter_get(&m->rows);
		bytes += counter_get(&m->bytes);
		timed_out += counter_get(&m->timed_out);
		conns += counter_get(&m->connections);
	}
	buf_adds(b, "# HELP amber_requests_total Requests answered, by route and status.\n"
		    "# TYPE amber_requests_total counter\n");
	for (int r = 0; r < ROUTE_COUNT; r++)
		for (int s = 0; s < STATUS_COUNT; s++) {
			if (!req[r][s])
				continue;
			if (s < STATUS_COUNT - 1)
				buf_addf(b, "amber_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
					 route_names[r], known_statuses[s], (unsigned long long)req[r][s]);
			else
				buf_addf(b, "amber_requests_total{route=\"%s\",status=\"other\"} %llu\n",
					 route_names[r], (unsigned long long)req[r][s]);
		}
	buf_adds(
	    b, "# HELP amber_request_duration_seconds Time from a complete request to its answer's last byte "
	       "produced.\n# TYPE amber_request_duration_seconds histogram\n");
	uint64_t cum = 0;
	for (int k = 0; k < BUCKET_COUNT; k++) {
		cum += buckets[k];
		if (k < BUCKET_COUNT - 1)
			buf_addf(b, "amber_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
				 bucket_bounds[k], (unsigned long long)cum);
		else
			buf_addf(b, "amber_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
				 (unsigned long long)cum);
	}
	buf_addf(b, "amber_request_duration_seconds_sum %.6f\n", (double)dur / 1e6);
	buf_addf(b, "amber_request_duration_seconds_count %llu\n", (unsigned long long)cum);
	buf_addf(
	    b,
	    "# HELP amber_rows_served_total Rows sent in answers.\n# TYPE amber_rows_served_total counter\n"
	    "amber_rows_served_total %llu\n"
	    "# HELP amber_bytes_served_total Body bytes sent.\n# TYPE amber_bytes_served_total counter\n"
	    "amber_bytes_served_total %llu\n"
	    "# HELP amber_queries_timed_out_total Queries stopped by the time limit.\n"
	    "# TYPE amber_queries_timed_out_total counter\namber_queries_timed_out_total %llu\n"
	    "# HELP amber_connections Open client connections.\n# TYPE amber_connections gauge\n"
	    "amber_connections %llu\n",
	    (unsigned long long)rows, (unsigned long long)bytes, (unsigned long long)timed_out,
	    (unsigned long long)conns);
}

static int path_is(const struct http_request *req, const char *p)
{
	size_t n = strlen(p);
	return req->path_len == n && memcmp(req->path, p, n) == 0;
}

static int method_is(const struct http_request *req, const char *m)
{
	size_t n = strlen(m);
	return req->method_len == n && memcmp(req->method, m, n) == 0;
}

/* First 32 hex digits of sha256(identity, file digest, method, target). The file digest is ""
 * until the hashing thread publishes it: /v1/meta shows it, so its tag must change with it. */
static void compute_etag(struct worker *w, const struct http_request *req, char out[33])
{
	struct digest_sha256 d;
	char hex[DIGEST_HEX_LEN + 1];
	const char *id = api_identity(w->api);
	const char *file = __atomic_load_n(&w->srv->sha256, __ATOMIC_ACQUIRE);
	digest_sha256_init(&d);
	digest_sha256_update(&d, id, strlen(id) + 1);
	digest_sha256_update(&d, file ? file : "", file ? strlen(file) + 1 : 1);
	digest_sha256_update(&d, "GET", 4);
	digest_sha256_update(&d, req->target, req->target_len);
	digest_sha256_update(&d, "\n", 1);
	/* Accept can choose the format, so it is part of what the answer is a function of. */
	const struct http_header *accept = http_find_header(req, "Accept");
	if (accept)
		digest_sha256_update(&d, accept->value, accept->value_len);
	digest_sha256_hex(&d, hex);
	memcpy(out, hex, 32);
	out[32] = '\0';
}

/* If-None-Match: "*" or a list holding our tag (weak or strong). */
static int etag_matches(const struct http_request *req, const char *etag)
{
	const struct http_header *h = http_find_header(req, "If-None-Match");
	if (!h)
		return 0;
	if (h->value_len == 1 && h->value[0] == '*')
		return 1;
	for (size_t i = 0; i + 34 <= h->value_len; i++)
		if (h->value[i] == '"' && memcmp(h->value + i + 1, etag, 32) == 0 && h->value[i + 33] == '"')
			return 1;
	return 0;
}

/* ---------------------------------------------------------------- one request */

/* Input not yet answered: in the read buffer, or already in the kernel's (a pipelined request
 * that arrived while the previous one ran). Draining answers both before closing. */
static int input_waiting(const struct conn *c)
{
	char ch;
	return c->in.len > c->in_off || recv(c->fd, &ch, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

/* Answers one complete request (head parsed, body in memory). */
static void dispatch(struct worker *w, struct conn *c, const struct http_request *req, const char *body,
		     size_t body_len, int64_t t0)
{
	struct server *srv = w->srv;
	const struct server_config *cfg = srv->cfg;
	int draining = __atomic_load_n(&srv->draining, __ATOMIC_RELAXED);
	struct answer a = {0};
	a.http10 = req->minor_version == 0;
	/* While draining, answer what is already buffered, then close. */
	a.keep_alive = req->keep_alive && !c->close_after && !(draining && !input_waiting(c));
	int is_head = method_is(req, "HEAD"), is_get = is_head || method_is(req, "GET");
	a.head = is_head;
	char log_line[640] = "";
	if (cfg->access_log_fd >= 0)
		log_prepare(log_line, sizeof log_line, req->method, req->method_len, req->target,
			    req->target_len);

	enum route own = ROUTE_NONE;
	if (path_is(req, "/healthz"))
		own = ROUTE_HEALTHZ;
	else if (path_is(req, "/readyz"))
		own = ROUTE_READYZ;
	else if (path_is(req, "/metrics"))
		own = ROUTE_METRICS;
	if (own != ROUTE_NONE) {
		struct buf b = BUF_INIT;
		a.no_store = 1;
		if (!is_get) {
			a.status = 405;
			a.extra = "Allow: GET, HEAD\r\n";
			a.extra_len = strlen(a.extra);
			put_error(w, c, &a, "only GET and HEAD are allowed here");
		} else {
			a.status = 200;
			a.content_type = "application/json";
			if (own == ROUTE_HEALTHZ) {
				buf_adds(&b, "{\"status\":\"ok\"}\n");
			} else if (own == ROUTE_READYZ) {
				if (draining) {
					a.status = 503;
					buf_adds(&b, "{\"status\":\"draining\"}\n");
				} else {
					buf_adds(&b, "{\"status\":\"ready\"}\n");
				}
			} else {
				a.content_type = "text/plain; version=0.0.4; charset=utf-8";
				metrics_text(srv, &b);
			}
			put_complete(w, c, &a, &b);
		}
		request_done(w, log_line, own, a.status, t0, is_head ? 0 : b.len, 0, 0);
		buf_free(&b);
		return;
	}

	if (cfg->cors_origin && method_is(req, "OPTIONS")) {
		static const char pre[] =
		    "Access-Control-Allow-Methods: GET, HEAD, POST, OPTIONS\r\n"
		    "Access-Control-Allow-Headers: Content-Type, Accept, If-None-Match\r\n"
		    "Access-Control-Max-Age: 86400\r\n";
		a.status = 204;
		a.extra = pre;
		a.extra_len = sizeof pre - 1;
		put_head(w, c, &a, -1, 0);
		request_done(w, log_line, ROUTE_NONE, 204, t0, 0, 0, 0);
		return;
	}

	char method[16];
	if (req->method_len >= sizeof method) {
		a.status = 501;
		put_error(w, c, &a, "unknown method");
		request_done(w, log_line, ROUTE_NONE, 501, t0, 0, 0, 0);
		return;
	}
	memcpy(method, is_head ? "GET" : req->method, is_head ? 3 : req->method_len);
	method[is_head ? 3 : req->method_len] = '\0';

	char etag[33];
	if (is_get) {
		compute_etag(w, req, etag);
		if (etag_matches(req, etag)) {
			a.status = 304;
			a.etag = etag;
			a.cacheable = 1;
			put_head(w, c, &a, -1, 0);
			request_done(w, log_line, ROUTE_NONE, 304, t0, 0, 0, 0);
			return;
		}
	}

	struct api_request ar = {
	    .method = method,
	    .path = req->path,
	    .path_len = req->path_len,
	    .query = req->query,
	    .query_len = req->query_len,
	    .body = body,
	    .body_len = body_len,
	};
	const struct http_header *h;
	if ((h = http_find_header(req, "Content-Type"))) {
		ar.content_type = h->value;
		ar.content_type_len = h->value_len;
	}
	if ((h = http_find_header(req, "Accept"))) {
		ar.accept = h->value;
		ar.accept_len = h->value_len;
	}
	struct api_response res;
	memset(&res, 0, sizeof res);
	api_handle(w->api, &ar, &res);
	a.status = res.status;
	a.content_type = res.content_type;
	a.extra = res.headers.len ? res.headers.data : NULL;
	a.extra_len = res.headers.len;
	if (is_get && res.status == 200) {
		a.etag = etag;
		a.cacheable = 1;
	}
	enum route route = route_of(res.route);

	if (!res.stream) {
		put_complete(w, c, &a, &res.body);
		request_done(w, log_line, route, res.status, t0, is_head ? 0 : res.body.len, res.rows,
			     res.timed_out);
		api_response_free(&res);
		return;
	}
	if (is_head) {
		a.keep_alive = a.keep_alive && !a.http10;
		put_head(w, c, &a, -1, !a.http10);
		request_done(w, log_line, route, res.status, t0, 0, res.rows, res.timed_out);
		api_response_free(&res);
		return;
	}
	/* Streamed: HTTP/1.1 chunked; HTTP/1.0 delimited by closing. */
	c->stream_chunked = !a.http10;
	if (a.http10)
		a.keep_alive = 0;
	put_head(w, c, &a, -1, c->stream_chunked);
	c->res = res;
	c->streaming = 1;
	c->t0_us = t0;
	c->route = route;
	c->status = res.status;
	c->sent_body = 0;
	memcpy(c->log_line, log_line, sizeof c->log_line);
	/* The first part of the body came with the response. */
	if (c->res.body.len) {
		if (c->stream_chunked)
			buf_addf(&c->out, "%zx\r\n", c->res.body.len);
		buf_add(&c->out, c->res.body.data, c->res.body.len);
		if (c->stream_chunked)
			buf_adds(&c->out, "\r\n");
		c->sent_body += c->res.body.len;
		buf_free(&c->res.body);
	}
}

/* Pulls the next part of a streamed body into out. */
static void stream_pull(struct worker *w, struct conn *c)
{
	buf_reset(&c->chunk);
	int done = api_stream_next(c->res.stream, &c->chunk, STREAM_WANT, &c->res);
	if (c->chunk.len) {
		if (c->stream_chunked)
			buf_addf(&c->out, "%zx\r\n", c->chunk.len);
		buf_add(&c->out, c->chunk.data, c->chunk.len);
		if (c->stream_chunked)
			buf_adds(&c->out, "\r\n");
		c->sent_body += c->chunk.len;
	}
	if (c->chunk.cap > 4 * STREAM_WANT)
		buf_free(&c->chunk);
	if (!done)
		return;
	if (c->stream_chunked)
		buf_adds(&c->out, "0\r\n\r\n");
	request_done(w, c->log_line, c->route, c->status, c->t0_us, c->sent_body, c->res.rows,
		     c->res.timed_out);
	api_response_free(&c->res);
	c->streaming = 0;
}

/* The client closed its end (or reset) and nothing more is unread. */
static int peer_gone(const struct conn *c)
{
	char ch;
	ssize_t r = recv(c->fd, &ch, 1, MSG_PEEK | MSG_DONTWAIT);
	return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* Parses and answers the next buffered request. 1: answered one (or queued an error), 0: needs
 * more input. */
static int next_request(struct worker *w, struct conn *c, int64_t now)
{
	const struct server_config *cfg = w->srv->cfg;
	size_t avail = c->in.len - c->in_off;
	if (avail == 0)
		return 0;
	const char *p = c->in.data + c->in_off;
	struct http_request req;
	int status = 400;
	int n = http_parse_request(p, avail, &req, &status);
	if (n == -2) {
		if (avail < HTTP_MAX_HEAD)
			return 0;
		status = 431;
		n = -1;
	}
	struct answer a = {0};
	if (n < 0) {
		a.status = status;
		a.keep_alive = 0;
		put_error(w, c, &a,
			  status == 414	  ? "the request line is too long"
			  : status == 431 ? "the request head is too large"
			  : status == 501 ? "request bodies must have a Content-Length"
			  : status == 505 ? "only HTTP/1.0 and HTTP/1.1 are spoken here"
					  : "malformed request");
		request_done(w, "- -", ROUTE_NONE, status, now_us(), 0, 0, 0);
		c->in_off = c->in.len;
		return 1;
	}
	if (req.content_length > cfg->max_body_bytes) {
		a.status = 413;
		a.keep_alive = 0;
		a.http10 = req.minor_version == 0;
		char line[640];
		log_prepare(line, sizeof line, req.method, req.method_len, req.target, req.target_len);
		put_error(w, c, &a, "the request body is too large");
		request_done(w, line, ROUTE_NONE, 413, now_us(), 0, 0, 0);
		c->in_off = c->in.len;
		return 1;
	}
	size_t total = (size_t)n + (size_t)req.content_length;
	if (avail < total) {
		if (req.expect_continue && req.minor_version == 1 && !c->continue_sent) {
			buf_adds(&c->out, "HTTP/1.1 100 Continue\r\n\r\n");
			c->continue_sent = 1;
		}
		return 0;
	}
	c->continue_sent = 0;
	c->in_off += total;
	int64_t t0 = now_us();
	/* A request that waited behind slow ones: if its client has hung up meanwhile (as load
	 * generators and impatient proxies do), drop it instead of running its query for no one. */
	if (t0 / 1000 - c->last_active_ms >= STALE_MS && peer_gone(c)) {
		c->peer_closed = 1;
		c->close_after = 1;
		c->in_off = c->in.len;
		return 1;
	}
	dispatch(w, c, &req, p + n, (size_t)req.content_length, t0);
	c->req_started_ms = c->in.len > c->in_off ? now : 0;
	return 1;
}

/* Drives a connection as far as it can go without blocking. Returns -1 when it was closed. */
static int conn_run(struct worker *w, struct conn *c, int64_t now)
{
	for (;;) {
		if (pending(c) >= OUT_HIGH || c->body.len > 0) {
			if (conn_flush(c, now) < 0)
				goto dead;
			if (pending(c)) {
				set_events(w, c, EPOLLOUT);
				return 0;
			}
		}
		if (c->streaming) {
			stream_pull(w, c);
			continue;
		}
		if (c->close_after)
			break;
		if (next_request(w, c, now))
			continue;
		break;
	}
	if (conn_flush(c, now) < 0)
		goto dead;
	if (pending(c)) {
		set_events(w, c, EPOLLOUT);
		return 0;
	}
	if (c->close_after || c->peer_closed)
		goto dead;
	if (w->draining && !input_waiting(c))
		goto dead;
	/* Everything answered and sent: reclaim the read buffer before reading more. */
	if (c->in_off == c->in.len) {
		c->in_off = 0;
		if (c->in.cap > 4 * READ_CHUNK)
			buf_free(&c->in);
		else
			buf_reset(&c->in);
	} else if (c->in_off > 0) {
		buf_consume(&c->in, c->in_off);
		c->in_off = 0;
	}
	set_events(w, c, EPOLLIN);
	return 0;
dead:
	conn_close(w, c);
	return -1;
}

static void conn_readable(struct worker *w, struct conn *c, int64_t now)
{
	const struct server_config *cfg = w->srv->cfg;
	size_t cap = HTTP_MAX_HEAD + cfg->max_body_bytes + READ_CHUNK;
	while (c->in.len < cap) {
		size_t room = cap - c->in.len;
		if (room > READ_CHUNK)
			room = READ_CHUNK;
		buf_grow(&c->in, room);
		ssize_t r = read(c->fd, c->in.data + c->in.len, room);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			conn_close(w, c);
			return;
		}
		if (r == 0) {
			c->peer_closed = 1;
			break;
		}
		if (c->req_started_ms == 0)
			c->req_started_ms = now;
		c->in.len += (size_t)r;
		c->in.data[c->in.len] = '\0';
		c->last_active_ms = now;
		if ((size_t)r < room)
			break;
	}
	conn_run(w, c, now);
}

static void conn_event(struct worker *w, struct conn *c, uint32_t events, int64_t now)
{
	/* While output waits, nothing is read: an error or hang-up shows when sending fails. */
	if (c->events & EPOLLOUT)
		conn_run(w, c, now);
	else if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		conn_readable(w, c, now);
}

/* ---------------------------------------------------------------- accepting */

static const char busy_response[] =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
    "Content-Length: 71\r\nConnection: close\r\n\r\n"
    "{\"error\":{\"code\":\"unavailable\",\"message\":\"too many connections\"}}\n";

static void accept_all(struct worker *w, int64_t now)
{
	for (int i = 0; i < 128 && w->listen_fd >= 0; i++) {
		int fd = accept4(w->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if ((errno == EMFILE || errno == ENFILE) && w->reserve_fd >= 0) {
				/* Out of descriptors: refuse one connection instead of spinning on it. */
				close(w->reserve_fd);
				fd = accept(w->listen_fd, NULL, NULL);
				if (fd >= 0)
					close(fd);
				w->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			}
			return;
		}
		if (w->nconns >= w->srv->cfg->max_connections) {
			ssize_t r =
			    send(fd, busy_response, sizeof busy_response - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			(void)r;
			close(fd);
			counter_add(&w->m.requests[ROUTE_NONE][status_index(503)], 1);
			continue;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		struct conn *c = calloc(1, sizeof *c);
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->events = EPOLLIN;
		c->last_active_ms = now;
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			free(c);
			continue;
		}
		c->next = w->conns;
		if (w->conns)
			w->conns->prev = c;
		w->conns = c;
		w->nconns++;
		counter_add(&w->m.connections, 1);
	}
}

/* ---------------------------------------------------------------- timers and draining */

static void scan_timers(struct worker *w, int64_t now)
{
	const struct server_config *cfg = w->srv->cfg;
	struct conn *next;
	for (struct conn *c = w->conns; c; c = next) {
		next = c->next;
		if (pending(c) || c->streaming) {
			if (now - c->last_active_ms >= cfg->idle_timeout_ms)
				conn_close(w, c); /* a client that stopped reading */
		} else if (c->in.len > c->in_off) {
			if (c->req_started_ms && now - c->req_started_ms >= cfg->slow_client_timeout_ms) {
				struct answer a = {.status = 408, .keep_alive = 0};
				c->in_off = c->in.len;
				put_error(w, c, &a, "the request did not arrive in time");
				request_done(w, "- -", ROUTE_NONE, 408, now_us(), 0, 0, 0);
				conn_run(w, c, now);
			}
		} else if (now - c->last_active_ms >= cfg->idle_timeout_ms) {
			conn_close(w, c);
		}
	}
}

static void start_drain(struct worker *w, int64_t now)
{
	w->draining = 1;
	w->drain_deadline_ms = now + w->srv->cfg->drain_timeout_ms;
	if (w->listen_fd >= 0) {
		epoll_ctl(w->ep, EPOLL_CTL_DEL, w->listen_fd, NULL);
		close(w->listen_fd);
		w->listen_fd = -1;
	}
	struct conn *next;
	for (struct conn *c = w->conns; c; c = next) {
		next = c->next;
		if (!pending(c) && !c->streaming && !input_waiting(c))
			conn_close(w, c);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[MAX_EVENTS];
	w->next_scan_ms = now_ms() + SCAN_EVERY_MS;
	for (;;) {
		int timeout = SCAN_EVERY_MS;
		int n = epoll_wait(w->ep, evs, MAX_EVENTS, timeout);
		if (n < 0 && errno != EINTR)
			break;
		int64_t now = now_ms();
		for (int i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;
			if (p == &w->listen_tag) {
				accept_all(w, now);
			} else if (p == &w->wake_tag) {
				uint64_t v;
				ssize_t r = read(w->wake_fd, &v, sizeof v);
				(void)r;
			} else {
				conn_event(w, p, evs[i].events, now);
			}
		}
		if (!w->draining && __atomic_load_n(&w->srv->draining, __ATOMIC_RELAXED))
			start_drain(w, now);
		if (now >= w->next_scan_ms) {
			scan_timers(w, now);
			w->next_scan_ms = now + SCAN_EVERY_MS;
		}
		if (w->draining && (w->nconns == 0 || now >= w->drain_deadline_ms))
			break;
	}
	while (w->conns)
		conn_close(w, w->conns);
	return NULL;
}

/* ---------------------------------------------------------------- start and stop */

static int parse_listen(const char *listen, char *host, size_t hsize, char *port, size_t psize)
{
	const char *colon;
	if (listen[0] == '[') {
		const char *end = strchr(listen, ']');
		if (!end || end[1] != ':')
			return -1;
		if ((size_t)(end - listen - 1) >= hsize)
			return -1;
		memcpy(host, listen + 1, (size_t)(end - listen - 1));
		host[end - listen - 1] = '\0';
		colon = end + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon || (size_t)(colon - listen) >= hsize)
			return -1;
		memcpy(host, listen, (size_t)(colon - listen));
		host[colon - listen] = '\0';
	}
	if (strlen(colon + 1) == 0 || strlen(colon + 1) >= psize ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return -1;
	strcpy(port, colon + 1);
	return 0;
}

/* Binds one SO_REUSEPORT listener; *port_out gets the port bound. Addresses are numeric (plus
 * "localhost"): a static binary in an image without /etc/nsswitch.conf cannot resolve names. */
static int bind_listener(const char *host, const char *port, int *port_out, char *addr_out, size_t asize,
			 struct amber_error *err)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	memset(&ss, 0, sizeof ss);
	long pn = strtol(port, NULL, 10);
	if (pn < 0 || pn > 65535)
		return amber_error_set(err, "cannot listen on %s:%s: bad port", host, port);
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	const char *h = host[0] ? host : "0.0.0.0";
	if (strcmp(h, "localhost") == 0)
		h = "127.0.0.1";
	if (inet_pton(AF_INET, h, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)pn);
		sl = sizeof *v4;
	} else if (inet_pton(AF_INET6, h, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)pn);
		sl = sizeof *v6;
	} else {
		return amber_error_set(err, "cannot listen on %s:%s: not a numeric IPv4 or IPv6 address",
				       host, port);
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return amber_error_set(err, "cannot listen on %s:%s: %s", host, port, strerror(errno));
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 1024) < 0) {
		int e = errno;
		close(fd);
		return amber_error_set(err, "cannot listen on %s:%s: %s", host, port, strerror(e));
	}
	sl = sizeof ss;
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	char text[INET6_ADDRSTRLEN] = "?";
	if (ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
		*port_out = ntohs(v4->sin_port);
		snprintf(addr_out, asize, "%s", text);
	} else {
		inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
		*port_out = ntohs(v6->sin6_port);
		snprintf(addr_out, asize, "[%s]", text);
	}
	return fd;
}

struct hash_job {
	struct server *srv;
	const char *path;
};

/* Hashes the database file in the background and publishes the hex digest. */
static void *hash_main(void *arg)
{
	struct hash_job *job = arg;
	int fd = open(job->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct digest_sha256 d;
	digest_sha256_init(&d);
	char *chunk = malloc(1 << 20);
	ssize_t r = 0;
	while (chunk && !__atomic_load_n(&job->srv->hash_stop, __ATOMIC_RELAXED)) {
		r = read(fd, chunk, 1 << 20);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		digest_sha256_update(&d, chunk, (size_t)r);
	}
	free(chunk);
	close(fd);
	if (r != 0 || __atomic_load_n(&job->srv->hash_stop, __ATOMIC_RELAXED))
		return NULL;
	char *hex = malloc(DIGEST_HEX_LEN + 1);
	if (!hex)
		return NULL;
	digest_sha256_hex(&d, hex);
	__atomic_store_n(&job->srv->sha256, hex, __ATOMIC_RELEASE);
	return NULL;
}

static void workers_free(struct server *srv, int n)
{
	for (int i = 0; i < n; i++) {
		struct worker *w = &srv->workers[i];
		if (w->api)
			api_close(w->api);
		if (w->listen_fd >= 0)
			close(w->listen_fd);
		if (w->wake_fd >= 0)
			close(w->wake_fd);
		if (w->reserve_fd >= 0)
			close(w->reserve_fd);
		if (w->ep >= 0)
			close(w->ep);
	}
	free(srv->workers);
}

int server_run(struct server_config *cfg, struct amber_error *err)
{
	struct server srv = {.cfg = cfg};
	cfg->api.db_sha256 = &srv.sha256;
	int n = cfg->threads;
	if (n <= 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		n = cpus > 0 ? (int)cpus : 1;
	}
	if (n > 256)
		n = 256;
	char host[256], port[16];
	if (parse_listen(cfg->listen, host, sizeof host, port, sizeof port) < 0)
		return amber_error_set(err, "--listen %s: expected ADDR:PORT, [ADDR]:PORT or :PORT",
				       cfg->listen);

	/* Signals: SIGTERM and SIGINT are waited for by this thread; workers inherit the mask. */
	signal(SIGPIPE, SIG_IGN);
	sigset_t sigs, old;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, &old);

	srv.workers = calloc((size_t)n, sizeof *srv.workers);
	if (!srv.workers)
		return amber_error_set(err, "out of memory");
	srv.nworkers = n;
	for (int i = 0; i < n; i++) {
		struct worker *w = &srv.workers[i];
		w->listen_fd = w->wake_fd = w->reserve_fd = w->ep = -1;
	}
	char addr[300] = "";
	int bound_port = 0;
	for (int i = 0; i < n; i++) {
		struct worker *w = &srv.workers[i];
		w->srv = &srv;
		w->index = i;
		w->api = api_open(&cfg->api, err);
		if (!w->api)
			goto fail;
		char p[16];
		snprintf(p, sizeof p, "%d", bound_port);
		w->listen_fd = bind_listener(host, i == 0 ? port : p, &bound_port, addr, sizeof addr, err);
		if (w->listen_fd < 0)
			goto fail;
		w->ep = epoll_create1(EPOLL_CLOEXEC);
		w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		w->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (w->ep < 0 || w->wake_fd < 0) {
			amber_error_set(err, "epoll/eventfd: %s", strerror(errno));
			goto fail;
		}
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &w->listen_tag};
		struct epoll_event wev = {.events = EPOLLIN, .data.ptr = &w->wake_tag};
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, w->listen_fd, &ev) < 0 ||
		    epoll_ctl(w->ep, EPOLL_CTL_ADD, w->wake_fd, &wev) < 0) {
			amber_error_set(err, "epoll_ctl: %s", strerror(errno));
			goto fail;
		}
	}
	int started = 0;
	for (; started < n; started++)
		if (pthread_create(&srv.workers[started].thread, NULL, worker_main, &srv.workers[started]) !=
		    0)
			break;
	if (started == 0) {
		amber_error_set(err, "cannot start worker threads");
		goto fail;
	}
	pthread_t hasher;
	struct hash_job job = {&srv, cfg->api.db_path};
	int hashing = pthread_create(&hasher, NULL, hash_main, &job) == 0;
	if (cfg->on_listening)
		cfg->on_listening(cfg->ctx, addr, bound_port, started);

	int sig;
	while (sigwait(&sigs, &sig) != 0)
		;
	/* Refuse new connections at once, even on a worker busy with a long query: a listening
	 * socket shut down stops accepting (its owner closes it when it next looks). */
	for (int i = 0; i < started; i++)
		shutdown(srv.workers[i].listen_fd, SHUT_RDWR);
	__atomic_store_n(&srv.draining, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&srv.hash_stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < started; i++) {
		uint64_t one = 1;
		ssize_t r = write(srv.workers[i].wake_fd, &one, sizeof one);
		(void)r;
	}
	for (int i = 0; i < started; i++)
		pthread_join(srv.workers[i].thread, NULL);
	if (hashing)
		pthread_join(hasher, NULL);
	workers_free(&srv, n);
	free((void *)srv.sha256);
	cfg->api.db_sha256 = NULL;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return 0;
fail:
	workers_free(&srv, n);
	cfg->api.db_sha256 = NULL;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -1;
}
