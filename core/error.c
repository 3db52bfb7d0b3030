/* error.c — filling and printing struct amber_error (see error.h). */
#include "core/error.h"

#include <stdarg.h>
#include <string.h>

static void set_place(struct amber_error *err, const char *file, long line, long column)
{
	snprintf(err->file, sizeof err->file, "%s", file ? file : "");
	err->line = line;
	err->column = column;
}

int amber_error_at(struct amber_error *err, const char *file, long line, long column, const char *fmt, ...)
{
	if (!err)
		return -1;
	set_place(err, file, line, column);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	return -1;
}

int amber_error_set(struct amber_error *err, const char *fmt, ...)
{
	if (!err)
		return -1;
	set_place(err, NULL, 0, 0);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	return -1;
}

void amber_error_clear(struct amber_error *err)
{
	memset(err, 0, sizeof *err);
}

void amber_error_print(const struct amber_error *err, const char *prog, FILE *out)
{
	fprintf(out, "%s: ", prog);
	if (err->file[0]) {
		fputs(err->file, out);
		if (err->line > 0) {
			fprintf(out, ":%ld", err->line);
			if (err->column > 0)
				fprintf(out, ":%ld", err->column);
		}
		fputs(": ", out);
	}
	fprintf(out, "%s\n", err->message[0] ? err->message : "unknown error");
}
