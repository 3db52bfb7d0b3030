/* progress.c — progress reporting on stderr (see progress.h). */
#include "core/progress.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TTY_INTERVAL   0.1
#define PLAIN_INTERVAL 5.0

double progress_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_init(struct progress *p, FILE *out, int quiet)
{
	memset(p, 0, sizeof *p);
	p->out = out;
	p->quiet = quiet;
	const char *term = getenv("TERM");
	p->tty = isatty(fileno(out)) && !(term && strcmp(term, "dumb") == 0);
}

/* Ends a live line so the next output starts on a fresh one. */
static void close_line(struct progress *p)
{
	if (p->line_open) {
		fputc('\n', p->out);
		p->line_open = 0;
	}
}

void progress_begin(struct progress *p, const char *label, uint64_t total_bytes)
{
	snprintf(p->label, sizeof p->label, "%s", label);
	p->total = total_bytes;
	p->bytes = p->rows = 0;
	p->start = p->last_draw = progress_now();
}

static void human_bytes(char *out, size_t cap, double b)
{
	if (b >= 1e9)
		snprintf(out, cap, "%.2f GB", b / 1e9);
	else if (b >= 1e6)
		snprintf(out, cap, "%.1f MB", b / 1e6);
	else
		snprintf(out, cap, "%.0f kB", b / 1e3);
}

/* Megabytes (10^6) a second: for work counted in bytes only (compressing a layer). */
static double byte_rate(const struct progress *p, double elapsed)
{
	return elapsed > 0 ? (double)p->bytes / elapsed / 1e6 : 0;
}

static void draw(struct progress *p, double now)
{
	double elapsed = now - p->start;
	double rate = elapsed > 0 ? (double)p->rows / elapsed : 0;
	char done[32], total[32];
	human_bytes(done, sizeof done, (double)p->bytes);
	if (p->tty) {
		fprintf(p->out, "\r\033[K%s ", p->label);
		if (p->total) {
			double frac = (double)p->bytes / (double)p->total;
			if (frac > 1)
				frac = 1;
			int fill = (int)(frac * 24);
			human_bytes(total, sizeof total, (double)p->total);
			fprintf(p->out, "[%.*s%.*s] %3.0f%% %s/%s", fill, "########################",
				24 - fill, "........................", frac * 100, done, total);
			if (frac > 0.01) {
				double eta = elapsed / frac - elapsed;
				fprintf(p->out, " ETA %d:%02d", (int)eta / 60, (int)eta % 60);
			}
		} else {
			fprintf(p->out, "%s", done);
		}
		if (p->rows)
			fprintf(p->out, " %.0fk rows/s", rate / 1000);
		else
			fprintf(p->out, " %.1f MB/s", byte_rate(p, elapsed));
		p->line_open = 1;
	} else {
		fprintf(p->out, "amber: %s: %s", p->label, done);
		if (p->total) {
			human_bytes(total, sizeof total, (double)p->total);
			fprintf(p->out, " of %s (%.0f%%)", total,
				100.0 * (double)p->bytes / (double)p->total);
		}
		if (p->rows)
			fprintf(p->out, ", %llu rows, %.0f rows/s\n", (unsigned long long)p->rows, rate);
		else
			fprintf(p->out, ", %.1f MB/s\n", byte_rate(p, elapsed));
	}
	fflush(p->out);
	p->last_draw = now;
}

void progress_update(struct progress *p, uint64_t bytes, uint64_t rows)
{
	p->bytes = bytes;
	p->rows = rows;
	if (p->quiet)
		return;
	double now = progress_now();
	if (now - p->last_draw >= (p->tty ? TTY_INTERVAL : PLAIN_INTERVAL))
		draw(p, now);
}

void progress_end(struct progress *p)
{
	if (p->quiet)
		return;
	double elapsed = progress_now() - p->start;
	char done[32];
	human_bytes(done, sizeof done, (double)p->bytes);
	if (p->tty)
		fputs("\r\033[K", p->out);
	p->line_open = 0;
	if (p->rows)
		fprintf(p->out, "amber: %s: %llu rows, %s in %.2f s (%.0f rows/s)\n", p->label,
			(unsigned long long)p->rows, done, elapsed,
			elapsed > 0 ? (double)p->rows / elapsed : 0);
	else
		fprintf(p->out, "amber: %s: %s in %.2f s (%.1f MB/s)\n", p->label, done, elapsed,
			byte_rate(p, elapsed));
	fflush(p->out);
}

void progress_phase(struct progress *p, const char *fmt, ...)
{
	p->phase_start = progress_now();
	if (p->quiet)
		return;
	close_line(p);
	fputs("amber: ", p->out);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(p->out, fmt, ap);
	va_end(ap);
	fputs(" ...", p->out);
	fflush(p->out);
	p->line_open = 1;
}

void progress_phase_done(struct progress *p)
{
	if (p->quiet)
		return;
	fprintf(p->out, " %.2f s\n", progress_now() - p->phase_start);
	fflush(p->out);
	p->line_open = 0;
}

void progress_message(struct progress *p, int always, const char *fmt, ...)
{
	if (p->quiet && !always)
		return;
	close_line(p);
	fputs("amber: ", p->out);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(p->out, fmt, ap);
	va_end(ap);
	fputc('\n', p->out);
	fflush(p->out);
}
