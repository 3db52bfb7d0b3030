/* progress.h — telling the user how long work is taking, on stderr.
 *
 * On a terminal: one live line (bytes read of total, percent, rows/s, ETA) redrawn at most
 * ten times a second. Otherwise (a log, CI): a plain line every few seconds. With quiet set:
 * nothing at all. Updates are cheap enough to call every few thousand rows. */
#ifndef AMBER_PROGRESS_H
#define AMBER_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

struct progress {
	FILE *out;
	int tty;
	int quiet;
	char label[96];
	uint64_t total; /* bytes expected; 0 when unknown */
	uint64_t bytes;
	uint64_t rows;
	double start;
	double last_draw;
	double phase_start;
	int line_open; /* a live line or an unfinished phase line is on screen */
};

/* `out` is usually stderr; it is a "terminal" when isatty says so and TERM is not "dumb". */
void progress_init(struct progress *p, FILE *out, int quiet);
/* Starts counting a new piece of work, e.g. reading one input of `total_bytes`. */
void progress_begin(struct progress *p, const char *label, uint64_t total_bytes);
/* Reports the absolute number of bytes read and rows done so far. Work that never reports a
 * row (compressing a layer) is shown in MB/s instead of rows/s. */
void progress_update(struct progress *p, uint64_t bytes, uint64_t rows);
/* Ends the piece of work with a summary line (rows, bytes, seconds, rows/s). */
void progress_end(struct progress *p);
/* Prints "what ..." for a phase without a measure (indexing, vacuum); progress_phase_done
 * completes the line with the time it took. */
void progress_phase(struct progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void progress_phase_done(struct progress *p);
/* A free-standing message line (a warning, a count of skipped rows); printed even when quiet
 * is set only if `always` is non-zero. */
void progress_message(struct progress *p, int always, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Seconds on a monotonic clock. */
double progress_now(void);

#endif
