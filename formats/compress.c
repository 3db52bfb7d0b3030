/* compress.c — gzip and zstd compressors and decompressors as sinks (see compress.h).
 *
 * Parallel gzip: the input is cut into COMPRESS_GZIP_BLOCK-byte blocks. Each block is deflated
 * on its own as raw deflate, primed with the 32 KiB of input before it as a dictionary, so it
 * compresses almost as well as one long stream; every block but the last ends with a sync
 * flush (byte-aligned, not final) and the last with Z_FINISH, so the pieces simply concatenate.
 * Each block's crc32 is computed with it and combined in order. A block's bytes depend only on
 * its input, the 32 KiB before it, the level and whether it is the last, hence the output does
 * not depend on the thread count or on how the caller splits its writes.
 *
 * Threads: the caller's thread fills a ring of jobs and hands each full one to the workers; it
 * also writes finished jobs to `next`, strictly in order, so `next` only ever sees the caller's
 * thread. The ring has a fixed size (2 × threads + 2), which bounds the memory: when it is full
 * the caller waits for the oldest job. With one thread there are no workers and each job is
 * deflated right where it is handed off. */
#include "formats/compress.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define GZ_DICT		   (32 * 1024) /* deflate's window: the most a block can refer back */
#define MAX_THREADS	   64
#define INFLATE_OUT	   (64 * 1024)
#define GZIP_DEFAULT_LEVEL 6
#define ZSTD_DEFAULT_LEVEL 3

int compression_parse(const char *name, enum compression *out)
{
	if (strcmp(name, "gzip") == 0)
		*out = COMPRESSION_GZIP;
	else if (strcmp(name, "zstd") == 0)
		*out = COMPRESSION_ZSTD;
	else if (strcmp(name, "none") == 0)
		*out = COMPRESSION_NONE;
	else
		return -1;
	return 0;
}

const char *compression_name(enum compression c)
{
	switch (c) {
	case COMPRESSION_GZIP:
		return "gzip";
	case COMPRESSION_ZSTD:
		return "zstd";
	case COMPRESSION_NONE:
		break;
	}
	return "none";
}

int compression_default_level(enum compression c)
{
	switch (c) {
	case COMPRESSION_GZIP:
		return GZIP_DEFAULT_LEVEL;
	case COMPRESSION_ZSTD:
		return ZSTD_DEFAULT_LEVEL;
	case COMPRESSION_NONE:
		break;
	}
	return 0;
}

enum compression compression_detect(const void *head, size_t len)
{
	const unsigned char *p = head;
	if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return COMPRESSION_GZIP;
	if (len >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
		return COMPRESSION_ZSTD;
	return COMPRESSION_NONE;
}

/* Resolves the thread count: 0 is every online CPU; more than MAX_THREADS gains nothing. */
static int resolve_threads(int threads, struct amber_error *err)
{
	if (threads < 0)
		return amber_error_set(err, "invalid compression thread count %d (0 means one per CPU)",
				       threads);
	if (threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n < 1 ? 1 : (int)(n < MAX_THREADS ? n : MAX_THREADS);
	}
	return threads < MAX_THREADS ? threads : MAX_THREADS;
}

/* The first error of a stage, repeated to every later call: once a stream is broken nothing
 * more of it may reach the next stage. */
struct sticky_error {
	int set;
	struct amber_error first;
};

static int sticky_keep(struct sticky_error *s, const struct amber_error *err)
{
	s->set = 1;
	if (err)
		s->first = *err;
	return -1;
}

static int sticky_repeat(const struct sticky_error *s, struct amber_error *err)
{
	if (err)
		*err = s->first;
	return -1;
}

/* ---- pass-through (COMPRESSION_NONE) ---- */

struct passthrough {
	struct sink base;
	struct sink *next;
};

static int pass_write(struct sink *s, const void *data, size_t len, struct amber_error *err)
{
	return sink_write(((struct passthrough *)s)->next, data, len, err);
}

static void pass_free(struct sink *s)
{
	free(s);
}

static struct sink *passthrough_create(struct sink *next, struct amber_error *err)
{
	struct passthrough *p = calloc(1, sizeof *p);
	if (!p) {
		amber_error_set(err, "out of memory");
		return NULL;
	}
	p->base.write = pass_write;
	p->base.free = pass_free;
	p->next = next;
	return &p->base;
}

/* ---- parallel gzip compressor ---- */

struct gz_job {
	unsigned char *in; /* GZ_DICT bytes of room for the dictionary, then the block */
	size_t dict_len;   /* dictionary bytes, ending at in + GZ_DICT */
	size_t len;	   /* block bytes, starting at in + GZ_DICT */
	int last;
	unsigned char *out;
	size_t out_cap, out_len;
	uLong crc;
	int failed; /* deflate failed: a bug */
	int done;   /* deflated; guarded by mu when there are workers */
};

struct gz_worker {
	struct gzip_compressor *gz;
	z_stream zs;
	int zs_ready;
	pthread_t thread;
	int started;
};

struct gzip_compressor {
	struct sink base;
	struct sink *next;
	int level;
	/* The ring: job number n lives in jobs[n % njobs]. Jobs head..tail-1 are handed off and
	 * not yet written; job tail is being filled. Only the caller's thread touches these. */
	struct gz_job *jobs;
	size_t njobs;
	uint64_t head, tail;
	uLong crc;
	uint32_t isize;
	int header_written, closed;
	struct sticky_error failed;

	int nworkers; /* 0: deflate inline with workers[0].zs */
	struct gz_worker *workers;
	size_t nstreams; /* one deflate stream per worker, or the inline one */
	int sync_ready;
	pthread_mutex_t mu;
	pthread_cond_t work_cv, done_cv;
	uint64_t handed; /* guarded by mu: jobs handed off (== tail once published) */
	uint64_t taken;	 /* guarded by mu: jobs a worker has started */
	int stop;	 /* guarded by mu */
};

/* Deflates one job into job->out; sets job->failed instead of returning an error, since it
 * runs on a worker. */
static void gz_deflate_job(z_stream *zs, struct gz_job *job)
{
	const unsigned char *data = job->in + GZ_DICT;
	int flush = job->last ? Z_FINISH : Z_SYNC_FLUSH;
	job->crc = crc32(0L, data, (uInt)job->len);
	job->out_len = 0;
	job->failed = 1;
	if (deflateReset(zs) != Z_OK)
		return;
	if (job->dict_len && deflateSetDictionary(zs, data - job->dict_len, (uInt)job->dict_len) != Z_OK)
		return;
	zs->next_in = (Bytef *)data;
	zs->avail_in = (uInt)job->len;
	zs->next_out = job->out;
	zs->avail_out = (uInt)job->out_cap;
	int r = deflate(zs, flush);
	job->out_len = job->out_cap - zs->avail_out;
	/* One call does it all: out_cap is above deflateBound, and a sync flush is complete when it
	 * returns with room to spare. Running out of room would be a bug; it is reported rather
	 * than retried because a retried sync flush may add a marker, which would make the bytes
	 * depend on the buffer size. */
	if (flush == Z_FINISH ? r == Z_STREAM_END : r == Z_OK && zs->avail_out > 0 && zs->avail_in == 0)
		job->failed = 0;
}

static void *gz_worker_main(void *arg)
{
	struct gz_worker *w = arg;
	struct gzip_compressor *gz = w->gz;
	pthread_mutex_lock(&gz->mu);
	for (;;) {
		while (!gz->stop && gz->taken == gz->handed)
			pthread_cond_wait(&gz->work_cv, &gz->mu);
		if (gz->stop)
			break;
		struct gz_job *job = &gz->jobs[gz->taken++ % gz->njobs];
		pthread_mutex_unlock(&gz->mu);
		gz_deflate_job(&w->zs, job);
		pthread_mutex_lock(&gz->mu);
		job->done = 1;
		pthread_cond_signal(&gz->done_cv);
	}
	pthread_mutex_unlock(&gz->mu);
	return NULL;
}

static int put_le32(struct sink *next, uint32_t v, uint32_t w, struct amber_error *err)
{
	unsigned char b[8];
	for (int i = 0; i < 4; i++) {
		b[i] = (unsigned char)(v >> (8 * i));
		b[4 + i] = (unsigned char)(w >> (8 * i));
	}
	return sink_write(next, b, sizeof b, err);
}

/* Writes the oldest handed-off job (finished) to next: header first, trailer after the last. */
static int gz_emit(struct gzip_compressor *gz, struct amber_error *err)
{
	struct gz_job *job = &gz->jobs[gz->head % gz->njobs];
	if (job->failed)
		return amber_error_set(err, "gzip compression failed in block %llu (a bug in amber or zlib)",
				       (unsigned long long)gz->head);
	if (!gz->header_written) {
		/* No name, no mtime, so the bytes depend on the data alone; OS 3 (Unix). */
		unsigned char hdr[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
		hdr[8] = gz->level == 9 ? 2 : gz->level == 1 ? 4 : 0;
		if (sink_write(gz->next, hdr, sizeof hdr, err) < 0)
			return -1;
		gz->header_written = 1;
	}
	if (sink_write(gz->next, job->out, job->out_len, err) < 0)
		return -1;
	gz->crc = crc32_combine(gz->crc, job->crc, (z_off_t)job->len);
	gz->isize += (uint32_t)job->len;
	gz->head++;
	if (job->last)
		return put_le32(gz->next, (uint32_t)gz->crc, gz->isize, err);
	return 0;
}

static int gz_job_done(struct gzip_compressor *gz, struct gz_job *job, int wait)
{
	if (!gz->nworkers)
		return job->done;
	pthread_mutex_lock(&gz->mu);
	while (wait && !job->done)
		pthread_cond_wait(&gz->done_cv, &gz->mu);
	int done = job->done;
	pthread_mutex_unlock(&gz->mu);
	return done;
}

/* Writes finished jobs in order: waits for every job numbered below `must`, then writes those
 * after it that happen to be finished already. */
static int gz_drain(struct gzip_compressor *gz, uint64_t must, struct amber_error *err)
{
	while (gz->head < gz->tail) {
		if (!gz_job_done(gz, &gz->jobs[gz->head % gz->njobs], gz->head < must))
			break;
		if (gz_emit(gz, err) < 0)
			return -1;
	}
	return 0;
}

/* Hands the job being filled to the workers (or deflates it here) and writes what is ready. */
static int gz_hand_off(struct gzip_compressor *gz, int last, struct amber_error *err)
{
	struct gz_job *job = &gz->jobs[gz->tail % gz->njobs];
	job->last = last;
	gz->tail++;
	if (!gz->nworkers) {
		gz_deflate_job(&gz->workers[0].zs, job);
		job->done = 1;
	} else {
		pthread_mutex_lock(&gz->mu);
		gz->handed = gz->tail;
		pthread_cond_signal(&gz->work_cv);
		pthread_mutex_unlock(&gz->mu);
	}
	return gz_drain(gz, gz->head, err);
}

/* Starts filling job number `tail`: waits for its slot to be free, then copies the end of the
 * previous block in as its dictionary. */
static int gz_start_job(struct gzip_compressor *gz, struct amber_error *err)
{
	if (gz->tail - gz->head >= gz->njobs && gz_drain(gz, gz->tail - gz->njobs + 1, err) < 0)
		return -1;
	struct gz_job *job = &gz->jobs[gz->tail % gz->njobs];
	job->len = 0;
	job->dict_len = 0;
	job->last = 0;
	job->done = 0;
	if (gz->tail > 0) {
		/* A different slot (njobs >= 2); a worker may be reading it, but only reading. */
		const struct gz_job *prev = &gz->jobs[(gz->tail - 1) % gz->njobs];
		size_t n = prev->len < GZ_DICT ? prev->len : GZ_DICT;
		memcpy(job->in + GZ_DICT - n, prev->in + GZ_DICT + prev->len - n, n);
		job->dict_len = n;
	}
	return 0;
}

static int gz_write(struct sink *s, const void *data, size_t len, struct amber_error *err)
{
	struct gzip_compressor *gz = (struct gzip_compressor *)s;
	if (gz->failed.set)
		return sticky_repeat(&gz->failed, err);
	if (gz->closed)
		return amber_error_set(err, "gzip compressor: write after close");
	const unsigned char *p = data;
	while (len > 0) {
		struct gz_job *job = &gz->jobs[gz->tail % gz->njobs];
		/* A full block is handed off only once more input shows it is not the last. */
		if (job->len == COMPRESS_GZIP_BLOCK) {
			if (gz_hand_off(gz, 0, err) < 0 || gz_start_job(gz, err) < 0)
				return sticky_keep(&gz->failed, err);
			continue;
		}
		size_t n = COMPRESS_GZIP_BLOCK - job->len;
		if (n > len)
			n = len;
		memcpy(job->in + GZ_DICT + job->len, p, n);
		job->len += n;
		p += n;
		len -= n;
	}
	return 0;
}

static int gz_close(struct sink *s, struct amber_error *err)
{
	struct gzip_compressor *gz = (struct gzip_compressor *)s;
	if (gz->failed.set)
		return sticky_repeat(&gz->failed, err);
	if (gz->closed)
		return 0;
	gz->closed = 1;
	if (gz_hand_off(gz, 1, err) < 0 || gz_drain(gz, gz->tail, err) < 0)
		return sticky_keep(&gz->failed, err);
	return 0;
}

static void gz_free(struct sink *s)
{
	struct gzip_compressor *gz = (struct gzip_compressor *)s;
	if (gz->sync_ready) {
		pthread_mutex_lock(&gz->mu);
		gz->stop = 1;
		pthread_cond_broadcast(&gz->work_cv);
		pthread_mutex_unlock(&gz->mu);
		for (int i = 0; i < gz->nworkers; i++)
			if (gz->workers[i].started)
				pthread_join(gz->workers[i].thread, NULL);
		pthread_mutex_destroy(&gz->mu);
		pthread_cond_destroy(&gz->work_cv);
		pthread_cond_destroy(&gz->done_cv);
	}
	for (size_t i = 0; gz->workers && i < gz->nstreams; i++)
		if (gz->workers[i].zs_ready)
			deflateEnd(&gz->workers[i].zs);
	for (size_t i = 0; gz->jobs && i < gz->njobs; i++) {
		free(gz->jobs[i].in);
		free(gz->jobs[i].out);
	}
	free(gz->jobs);
	free(gz->workers);
	free(gz);
}

static struct sink *gzip_compressor_create(int level, int threads, struct sink *next, struct amber_error *err)
{
	if (level == 0)
		level = GZIP_DEFAULT_LEVEL;
	if (level < 1 || level > 9) {
		amber_error_set(err, "invalid gzip level %d (1 to 9)", level);
		return NULL;
	}
	threads = resolve_threads(threads, err);
	if (threads < 0)
		return NULL;
	struct gzip_compressor *gz = calloc(1, sizeof *gz);
	if (!gz)
		goto oom;
	gz->base.write = gz_write;
	gz->base.close = gz_close;
	gz->base.free = gz_free;
	gz->next = next;
	gz->level = level;
	gz->crc = crc32(0L, Z_NULL, 0);
	gz->nworkers = threads > 1 ? threads : 0;
	gz->nstreams = threads;
	gz->njobs = threads > 1 ? 2 * (size_t)threads + 2 : 2;

	gz->workers = calloc(gz->nstreams, sizeof *gz->workers);
	if (!gz->workers)
		goto oom;
	for (size_t i = 0; i < gz->nstreams; i++) {
		struct gz_worker *w = &gz->workers[i];
		w->gz = gz;
		if (deflateInit2(&w->zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			goto oom;
		w->zs_ready = 1;
	}
	/* deflateBound covers a whole block with Z_FINISH; the margin covers a sync flush's
	 * empty stored block (at most 6 bytes) many times over. */
	size_t out_cap = deflateBound(&gz->workers[0].zs, COMPRESS_GZIP_BLOCK) + 1024;
	gz->jobs = calloc(gz->njobs, sizeof *gz->jobs);
	if (!gz->jobs)
		goto oom;
	for (size_t i = 0; i < gz->njobs; i++) {
		gz->jobs[i].in = malloc(GZ_DICT + COMPRESS_GZIP_BLOCK);
		gz->jobs[i].out = malloc(out_cap);
		gz->jobs[i].out_cap = out_cap;
		if (!gz->jobs[i].in || !gz->jobs[i].out)
			goto oom;
	}
	if (gz->nworkers) {
		if (pthread_mutex_init(&gz->mu, NULL) != 0)
			goto oom;
		if (pthread_cond_init(&gz->work_cv, NULL) != 0) {
			pthread_mutex_destroy(&gz->mu);
			goto oom;
		}
		if (pthread_cond_init(&gz->done_cv, NULL) != 0) {
			pthread_cond_destroy(&gz->work_cv);
			pthread_mutex_destroy(&gz->mu);
			goto oom;
		}
		gz->sync_ready = 1;
		for (int i = 0; i < gz->nworkers; i++) {
			if (pthread_create(&gz->workers[i].thread, NULL, gz_worker_main, &gz->workers[i]) !=
			    0) {
				amber_error_set(err, "cannot start gzip compression threads");
				gz_free(&gz->base);
				return NULL;
			}
			gz->workers[i].started = 1;
		}
	}
	if (gz_start_job(gz, err) < 0) { /* job 0: nothing to wait for */
		gz_free(&gz->base);
		return NULL;
	}
	return &gz->base;
oom:
	amber_error_set(err, "out of memory starting the gzip compressor");
	if (gz)
		gz_free(&gz->base);
	return NULL;
}

/* ---- zstd compressor ---- */

struct zstd_compressor {
	struct sink base;
	struct sink *next;
	ZSTD_CCtx *cctx;
	unsigned char *out;
	size_t out_cap;
	int closed;
	struct sticky_error failed;
};

/* Feeds `len` bytes (none at the end) and writes whatever comes out; with ZSTD_e_end, until
 * the frame is complete. */
static int zc_run(struct zstd_compressor *zc, const void *data, size_t len, ZSTD_EndDirective mode,
		  struct amber_error *err)
{
	ZSTD_inBuffer in = {data, len, 0};
	for (;;) {
		ZSTD_outBuffer out = {zc->out, zc->out_cap, 0};
		size_t r = ZSTD_compressStream2(zc->cctx, &out, &in, mode);
		if (ZSTD_isError(r))
			return amber_error_set(err, "zstd compression failed: %s", ZSTD_getErrorName(r));
		if (out.pos && sink_write(zc->next, zc->out, out.pos, err) < 0)
			return -1;
		if (mode == ZSTD_e_end ? r == 0 : in.pos == in.size)
			return 0;
	}
}

static int zc_write(struct sink *s, const void *data, size_t len, struct amber_error *err)
{
	struct zstd_compressor *zc = (struct zstd_compressor *)s;
	if (zc->failed.set)
		return sticky_repeat(&zc->failed, err);
	if (zc->closed)
		return amber_error_set(err, "zstd compressor: write after close");
	if (zc_run(zc, data, len, ZSTD_e_continue, err) < 0)
		return sticky_keep(&zc->failed, err);
	return 0;
}

static int zc_close(struct sink *s, struct amber_error *err)
{
	struct zstd_compressor *zc = (struct zstd_compressor *)s;
	if (zc->failed.set)
		return sticky_repeat(&zc->failed, err);
	if (zc->closed)
		return 0;
	zc->closed = 1;
	if (zc_run(zc, NULL, 0, ZSTD_e_end, err) < 0)
		return sticky_keep(&zc->failed, err);
	return 0;
}

static void zc_free(struct sink *s)
{
	struct zstd_compressor *zc = (struct zstd_compressor *)s;
	ZSTD_freeCCtx(zc->cctx); /* joins libzstd's workers */
	free(zc->out);
	free(zc);
}

static struct sink *zstd_compressor_create(int level, int threads, uint64_t size_hint, struct sink *next,
					   struct amber_error *err)
{
	if (level == 0)
		level = ZSTD_DEFAULT_LEVEL;
	if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()) {
		amber_error_set(err, "invalid zstd level %d (%d to %d)", level, ZSTD_minCLevel(),
				ZSTD_maxCLevel());
		return NULL;
	}
	threads = resolve_threads(threads, err);
	if (threads < 0)
		return NULL;
	struct zstd_compressor *zc = calloc(1, sizeof *zc);
	if (!zc || !(zc->cctx = ZSTD_createCCtx()) || !(zc->out = malloc(ZSTD_CStreamOutSize()))) {
		amber_error_set(err, "out of memory starting the zstd compressor");
		if (zc)
			zc_free(&zc->base);
		return NULL;
	}
	zc->base.write = zc_write;
	zc->base.close = zc_close;
	zc->base.free = zc_free;
	zc->next = next;
	zc->out_cap = ZSTD_CStreamOutSize();
	/* Always the multi-threaded mode, even for one thread: its output is the same for any
	 * number of workers, unlike the single-threaded mode's. */
	size_t r = ZSTD_CCtx_setParameter(zc->cctx, ZSTD_c_compressionLevel, level);
	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_setParameter(zc->cctx, ZSTD_c_checksumFlag, 1);
	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_setParameter(zc->cctx, ZSTD_c_nbWorkers, threads);
	if (!ZSTD_isError(r) && size_hint != UINT64_MAX)
		r = ZSTD_CCtx_setPledgedSrcSize(zc->cctx, size_hint);
	if (ZSTD_isError(r)) {
		amber_error_set(err, "cannot set up zstd compression: %s (is libzstd built with threads?)",
				ZSTD_getErrorName(r));
		zc_free(&zc->base);
		return NULL;
	}
	return &zc->base;
}

struct sink *compressor_create(enum compression c, int level, int threads, uint64_t size_hint,
			       struct sink *next, struct amber_error *err)
{
	switch (c) {
	case COMPRESSION_GZIP:
		return gzip_compressor_create(level, threads, next, err);
	case COMPRESSION_ZSTD:
		return zstd_compressor_create(level, threads, size_hint, next, err);
	case COMPRESSION_NONE:
		break;
	}
	return passthrough_create(next, err);
}

/* ---- gzip decompressor ---- */

struct gzip_decompressor {
	struct sink base;
	struct sink *next;
	z_stream zs;
	int zs_ready;
	unsigned char *out;
	uint64_t consumed; /* compressed bytes, for error messages */
	int in_member;	   /* inside a member: its end not seen yet */
	long members;	   /* members seen to the end */
	struct sticky_error failed;
};

static int gd_error(struct gzip_decompressor *gd, int r, struct amber_error *err)
{
	if (r == Z_MEM_ERROR)
		amber_error_set(err, "out of memory decompressing gzip data");
	else if (r == Z_NEED_DICT)
		amber_error_set(err,
				"corrupt gzip data: asks for a preset dictionary (near compressed byte %llu)",
				(unsigned long long)gd->consumed);
	else
		amber_error_set(err, "corrupt gzip data: %s (near compressed byte %llu)",
				gd->zs.msg ? gd->zs.msg : "invalid stream", (unsigned long long)gd->consumed);
	return -1;
}

/* Inflates `len` bytes (at most a uInt) and writes what comes out, member after member. */
static int gd_inflate(struct gzip_decompressor *gd, const unsigned char *p, uInt len, struct amber_error *err)
{
	gd->zs.next_in = (Bytef *)p;
	gd->zs.avail_in = len;
	int out_full = 0;
	while (gd->zs.avail_in > 0 || out_full) {
		if (!gd->in_member) {
			/* The next member of a concatenation starts after the end of the previous. */
			if (gd->members > 0 && inflateReset(&gd->zs) != Z_OK)
				return amber_error_set(
				    err, "gzip decompressor: cannot restart for the next member");
			gd->in_member = 1;
		}
		uInt before = gd->zs.avail_in;
		gd->zs.next_out = gd->out;
		gd->zs.avail_out = INFLATE_OUT;
		int r = inflate(&gd->zs, Z_NO_FLUSH);
		gd->consumed += before - gd->zs.avail_in;
		size_t n = INFLATE_OUT - gd->zs.avail_out;
		out_full = gd->zs.avail_out == 0;
		if (n && sink_write(gd->next, gd->out, n, err) < 0)
			return -1;
		if (r == Z_STREAM_END) {
			gd->in_member = 0;
			gd->members++;
			out_full = 0;
		} else if (r == Z_BUF_ERROR && gd->zs.avail_in > 0) {
			/* No progress with input and room to spare: cannot happen with a working zlib. */
			return amber_error_set(err, "corrupt gzip data: the decoder made no progress");
		} else if (r != Z_OK && r != Z_BUF_ERROR) {
			return gd_error(gd, r, err);
		}
	}
	return 0;
}

static int gd_write(struct sink *s, const void *data, size_t len, struct amber_error *err)
{
	struct gzip_decompressor *gd = (struct gzip_decompressor *)s;
	if (gd->failed.set)
		return sticky_repeat(&gd->failed, err);
	const unsigned char *p = data;
	while (len > 0) {
		uInt chunk = len > (1u << 30) ? 1u << 30 : (uInt)len; /* zlib counts in uInt */
		if (gd_inflate(gd, p, chunk, err) < 0)
			return sticky_keep(&gd->failed, err);
		p += chunk;
		len -= chunk;
	}
	return 0;
}

static int gd_close(struct sink *s, struct amber_error *err)
{
	struct gzip_decompressor *gd = (struct gzip_decompressor *)s;
	if (gd->failed.set)
		return sticky_repeat(&gd->failed, err);
	if (gd->in_member || gd->members == 0) {
		amber_error_set(err, "truncated gzip stream (%llu compressed bytes, %s)",
				(unsigned long long)gd->consumed,
				gd->members == 0 && !gd->in_member ? "no data" : "the end is missing");
		return sticky_keep(&gd->failed, err);
	}
	return 0;
}

static void gd_free(struct sink *s)
{
	struct gzip_decompressor *gd = (struct gzip_decompressor *)s;
	if (gd->zs_ready)
		inflateEnd(&gd->zs);
	free(gd->out);
	free(gd);
}

static struct sink *gzip_decompressor_create(struct sink *next, struct amber_error *err)
{
	struct gzip_decompressor *gd = calloc(1, sizeof *gd);
	if (!gd || !(gd->out = malloc(INFLATE_OUT)) || inflateInit2(&gd->zs, 16 + 15) != Z_OK) {
		amber_error_set(err, "out of memory starting the gzip decompressor");
		if (gd)
			gd_free(&gd->base);
		return NULL;
	}
	gd->zs_ready = 1;
	gd->base.write = gd_write;
	gd->base.close = gd_close;
	gd->base.free = gd_free;
	gd->next = next;
	return &gd->base;
}

/* ---- zstd decompressor ---- */

struct zstd_decompressor {
	struct sink base;
	struct sink *next;
	ZSTD_DCtx *dctx;
	unsigned char *out;
	size_t out_cap;
	uint64_t consumed;
	int in_frame; /* inside a frame: its end not seen yet */
	long frames;  /* frames seen to the end */
	struct sticky_error failed;
};

static int zd_write(struct sink *s, const void *data, size_t len, struct amber_error *err)
{
	struct zstd_decompressor *zd = (struct zstd_decompressor *)s;
	if (zd->failed.set)
		return sticky_repeat(&zd->failed, err);
	ZSTD_inBuffer in = {data, len, 0};
	int out_full = 0;
	while (in.pos < in.size || out_full) {
		size_t before = in.pos;
		ZSTD_outBuffer out = {zd->out, zd->out_cap, 0};
		size_t r = ZSTD_decompressStream(zd->dctx, &out, &in);
		zd->consumed += in.pos - before;
		if (ZSTD_isError(r)) {
			amber_error_set(err, "corrupt zstd data: %s (near compressed byte %llu)",
					ZSTD_getErrorName(r), (unsigned long long)zd->consumed);
			goto fail;
		}
		if (out.pos && sink_write(zd->next, zd->out, out.pos, err) < 0)
			goto fail;
		out_full = out.pos == out.size;
		if (r == 0) { /* a frame is complete and all of it written */
			zd->in_frame = 0;
			zd->frames++;
			out_full = 0;
		} else if (in.pos > before || out.pos > 0) {
			zd->in_frame = 1;
		} else if (in.pos < in.size) {
			/* Input left and room for output: cannot happen with a working libzstd. */
			amber_error_set(err, "corrupt zstd data: the decoder made no progress");
			goto fail;
		}
	}
	return 0;
fail:
	return sticky_keep(&zd->failed, err);
}

static int zd_close(struct sink *s, struct amber_error *err)
{
	struct zstd_decompressor *zd = (struct zstd_decompressor *)s;
	if (zd->failed.set)
		return sticky_repeat(&zd->failed, err);
	if (zd->in_frame || zd->frames == 0) {
		amber_error_set(err, "truncated zstd stream (%llu compressed bytes, %s)",
				(unsigned long long)zd->consumed,
				zd->frames == 0 && !zd->in_frame ? "no data" : "the end is missing");
		return sticky_keep(&zd->failed, err);
	}
	return 0;
}

static void zd_free(struct sink *s)
{
	struct zstd_decompressor *zd = (struct zstd_decompressor *)s;
	ZSTD_freeDCtx(zd->dctx);
	free(zd->out);
	free(zd);
}

static struct sink *zstd_decompressor_create(struct sink *next, struct amber_error *err)
{
	struct zstd_decompressor *zd = calloc(1, sizeof *zd);
	if (!zd || !(zd->dctx = ZSTD_createDCtx()) || !(zd->out = malloc(ZSTD_DStreamOutSize()))) {
		amber_error_set(err, "out of memory starting the zstd decompressor");
		if (zd)
			zd_free(&zd->base);
		return NULL;
	}
	zd->out_cap = ZSTD_DStreamOutSize();
	zd->base.write = zd_write;
	zd->base.close = zd_close;
	zd->base.free = zd_free;
	zd->next = next;
	return &zd->base;
}

struct sink *decompressor_create(enum compression c, struct sink *next, struct amber_error *err)
{
	switch (c) {
	case COMPRESSION_GZIP:
		return gzip_decompressor_create(next, err);
	case COMPRESSION_ZSTD:
		return zstd_decompressor_create(next, err);
	case COMPRESSION_NONE:
		break;
	}
	return passthrough_create(next, err);
}
