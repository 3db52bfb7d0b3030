/* error.h — the one error type: where something went wrong and what a user can do about it.
 *
 * Library code never prints and never exits; it fills a struct amber_error and returns -1.
 * Only cmd/ prints (with amber_error_print) and chooses the exit code. */
#ifndef AMBER_ERROR_H
#define AMBER_ERROR_H

#include <stdio.h>

struct amber_error {
	char file[256]; /* the input or output named by the error, "" when none */
	long line;	/* 1-based, 0 when not about a line */
	long column;	/* 1-based byte column in that line, 0 when unknown */
	char message[768];
};

/* Sets every field; `file` may be NULL. Always returns -1 so callers can `return amber_error_at(...)`. */
int amber_error_at(struct amber_error *err, const char *file, long line, long column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Same with no place. */
int amber_error_set(struct amber_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Clears the error. */
void amber_error_clear(struct amber_error *err);
/* Prints "prog: file:line:column: message\n" (the parts that are known). */
void amber_error_print(const struct amber_error *err, const char *prog, FILE *out);

#endif
