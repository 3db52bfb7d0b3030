/* sink.c — the small sinks every chain needs: sha256, file descriptor, tee, buffer (see sink.h). */
#include "core/sink.h"
#include "core/buf.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static int digest_write(struct sink *s, const void *data, size_t len, struct amber_error *err)
{
	struct sink_digest *d = (struct sink_digest *)s;
	digest_sha256_update(&d->sha, data, len);
	d->bytes += len;
	return d->next ? sink_write(d->next, data, len, err) : 0;
}

void sink_digest_init(struct sink_digest *d, struct sink *next)
{
	memset(d, 0, sizeof *d);
	d->base.write = digest_write;
	digest_sha256_init(&d->sha);
	d->next = next;
}

void sink_digest_hex(struct sink_digest *d, char hex[DIGEST_HEX_LEN + 1])
{
	digest_sha256_hex(&d->sha, hex);
}

static int fd_write(struct sink *s, const void *data, size_t len, struct amber_error *err)
{
	struct sink_fd *f = (struct sink_fd *)s;
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(f->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return amber_error_at(err, f->name, 0, 0, "cannot write: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
		f->bytes += (uint64_t)n;
	}
	return 0;
}

void sink_fd_init(struct sink_fd *f, int fd, const char *name)
{
	memset(f, 0, sizeof *f);
	f->base.write = fd_write;
	f->fd = fd;
	f->name = name;
}

static int tee_write(struct sink *s, const void *data, size_t len, struct amber_error *err)
{
	struct sink_tee *t = (struct sink_tee *)s;
	if (sink_write(t->a, data, len, err) < 0)
		return -1;
	return sink_write(t->b, data, len, err);
}

void sink_tee_init(struct sink_tee *t, struct sink *a, struct sink *b)
{
	memset(t, 0, sizeof *t);
	t->base.write = tee_write;
	t->a = a;
	t->b = b;
}

static int buf_sink_write(struct sink *s, const void *data, size_t len, struct amber_error *err)
{
	buf_add(((struct sink_buf *)s)->out, data, len);
	return 0;
}

void sink_buf_init(struct sink_buf *s, struct buf *out)
{
	memset(s, 0, sizeof *s);
	s->base.write = buf_sink_write;
	s->out = out;
}
