/* sqldump.c — telling the dialect of a dump and dispatching to its translator (see sqldump.h).
 *
 * Detection looks for what the tools themselves write at the top of a dump: a header comment
 * first (the strongest sign), then constructs only one dialect has. */
#include "formats/sqldump.h"

#include <string.h>
#include <strings.h>

/* How far into the head detection looks. */
#define DETECT_MAX (64u * 1024u)

/* Whether a line of head starts with `prefix`. */
static int line_starts(const char *head, size_t len, const char *prefix)
{
	size_t k = strlen(prefix);
	for (size_t i = 0; i + k <= len;) {
		if (memcmp(head + i, prefix, k) == 0)
			return 1;
		const char *nl = memchr(head + i, '\n', len - i);
		if (!nl)
			break;
		i = (size_t)(nl - head) + 1;
	}
	return 0;
}

/* Whether a line starting with `prefix` also holds `also` (COPY … FROM stdin;). */
static int line_with(const char *head, size_t len, const char *prefix, const char *also)
{
	size_t k = strlen(prefix), m = strlen(also);
	for (size_t i = 0; i + k <= len;) {
		const char *nl = memchr(head + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - head) : len;
		if (memcmp(head + i, prefix, k) == 0 && memmem(head + i, end - i, also, m))
			return 1;
		if (!nl)
			break;
		i = end + 1;
	}
	return 0;
}

/* The first statement of a sqlite3 .dump: "PRAGMA foreign_keys=OFF;" then "BEGIN TRANSACTION;"
 * (older versions start with the BEGIN). */
static int sqlite_start(const char *head, size_t len)
{
	static const char pragma[] = "PRAGMA foreign_keys=OFF;", begin[] = "BEGIN TRANSACTION;";
	size_t i = 0;
	while (i < len && strchr(" \t\r\n", head[i]))
		i++;
	if (len - i >= sizeof pragma - 1 && memcmp(head + i, pragma, sizeof pragma - 1) == 0) {
		i += sizeof pragma - 1;
		while (i < len && strchr(" \t\r\n", head[i]))
			i++;
	}
	return len - i >= sizeof begin - 1 && memcmp(head + i, begin, sizeof begin - 1) == 0;
}

/* "/" "*" "!" followed by a digit: MySQL's versioned conditional comment. */
static int mysql_conditional(const char *head, size_t len)
{
	for (const char *p = head; (p = memmem(p, len - (size_t)(p - head), "/*!", 3)) != NULL; p += 3)
		if ((size_t)(p - head) + 3 < len && p[3] >= '0' && p[3] <= '9')
			return 1;
	return 0;
}

enum sql_dialect sqldump_detect(const char *head, size_t len)
{
	if (len > DETECT_MAX)
		len = DETECT_MAX;
	if (line_starts(head, len, "-- MySQL dump") || line_starts(head, len, "-- MariaDB dump") ||
	    line_starts(head, len, "/*M!999999"))
		return SQL_MYSQL;
	if (line_starts(head, len, "-- PostgreSQL database dump") ||
	    line_starts(head, len, "-- PostgreSQL database cluster dump"))
		return SQL_POSTGRES;
	if (sqlite_start(head, len))
		return SQL_SQLITE;
	if (mysql_conditional(head, len))
		return SQL_MYSQL;
	if (line_starts(head, len, "\\restrict ") || line_starts(head, len, "\\connect ") ||
	    line_with(head, len, "COPY ", " FROM stdin;") ||
	    line_starts(head, len, "SELECT pg_catalog.set_config("))
		return SQL_POSTGRES;
	return SQL_NONE;
}

int sqldump_parse_dialect(const char *name, enum sql_dialect *out)
{
	if (strcmp(name, "mysql") == 0 || strcmp(name, "mariadb") == 0)
		*out = SQL_MYSQL;
	else if (strcmp(name, "postgres") == 0 || strcmp(name, "postgresql") == 0 || strcmp(name, "pg") == 0)
		*out = SQL_POSTGRES;
	else if (strcmp(name, "sqlite") == 0)
		*out = SQL_SQLITE;
	else
		return -1;
	return 0;
}

int sqldump_needs_schema_pass(enum sql_dialect dialect)
{
	return dialect == SQL_POSTGRES;
}

int sqldump_load(enum sql_dialect dialect, struct dump *d, const char *path, const char *name,
		 enum dump_pass pass, const struct sqldump_options *opt, struct amber_error *err)
{
	switch (dialect) {
	case SQL_MYSQL:
		return sqldump_load_mysql(d, path, name, pass, opt, err);
	case SQL_POSTGRES:
		return sqldump_load_postgres(d, path, name, pass, opt, err);
	case SQL_SQLITE:
		return sqldump_load_sqlite(d, path, name, pass, opt, err);
	case SQL_NONE:
		break;
	}
	return amber_error_at(err, name, 0, 0, "not an SQL dump of a known dialect");
}
