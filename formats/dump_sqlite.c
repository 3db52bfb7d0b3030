/* dump_sqlite.c — the sqlite3 shell's .dump read into core/dump (see sqldump.h).
 *
 * A .dump is executed faithfully, except that rows are bound rather than executed: CREATE
 * TABLE runs as written (dump_table_create_sqlite, so the table keeps SQLite's own types and
 * affinities), each INSERT's values are converted from their literals and bound to a prepared
 * statement, and the other schema objects (indexes, views, triggers) and the AUTOINCREMENT
 * counters (sqlite_sequence) run as written, in the dump's order. The text .dump writes for
 * control characters, replace('a\nb','\n',char(10)), is evaluated here. What amber does itself
 * is dropped: the transaction, foreign_keys=OFF, and the statistics (ANALYZE sqlite_schema and
 * the sqlite_stat rows: the loader runs ANALYZE on the finished database). Virtual tables,
 * which .dump can only write into sqlite_schema, are skipped. */
#include "formats/input.h"
#include "formats/sqldump.h"
#include "formats/sqlread.h"

#include <ctype.h>
#include <stdarg.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Nesting of replace() calls accepted in a value (.dump writes at most two). */
#define MAX_REPLACE_DEPTH 8

struct place {
	long line, column;
};

struct sqlite_dump {
	struct dump *d;
	enum dump_pass pass;
	struct sqlread r;
	struct sqltok tok;
	struct amber_error *err;
	struct buf sql;	  /* the statement being collected, as written */
	struct buf name;  /* the table name of the statement */
	struct buf value; /* the decoded value being bound */
	struct buf num;	  /* a number with its sign */
	int in_transaction;
	struct place start; /* where the statement began */
};

/* --- tokens and places --- */

static struct place place_of(const struct sqlite_dump *x, const char *p)
{
	struct place at;
	sqlread_place(&x->r, p, &at.line, &at.column);
	return at;
}

static int error_at(const struct sqlite_dump *x, struct place at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int error_at(const struct sqlite_dump *x, struct place at, const char *fmt, ...)
{
	char message[sizeof x->err->message];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	return amber_error_at(x->err, x->r.name, at.line, at.column, "%s", message);
}

/* Gives the message a core/dump call left in err the place `at`. */
static int placed(const struct sqlite_dump *x, struct place at)
{
	char message[sizeof x->err->message];
	snprintf(message, sizeof message, "%s", x->err->message);
	return error_at(x, at, "%s", message);
}

static int unexpected(const struct sqlite_dump *x, const char *expected)
{
	if (x->tok.type == SQLTOK_EOF)
		return error_at(x, place_of(x, x->tok.start),
				"truncated dump: the input ends inside a statement (expected %s)", expected);
	struct buf q = BUF_INIT;
	sqlread_quote(&q, x->tok.start, x->tok.size);
	error_at(x, place_of(x, x->tok.start), "expected %s, found \"%s\"", expected, buf_str(&q));
	buf_free(&q);
	return -1;
}

/* Reads the next token. An unterminated string or comment at the end of the input is a
 * truncated dump. */
static int next(struct sqlite_dump *x)
{
	if (sqlread_token(&x->r, &x->tok, x->err) == 1)
		return 0;
	if (x->r.eof && x->r.st.error && strncmp(x->r.st.error, "unterminated", 12) == 0) {
		static const char prefix[] = "truncated dump: ";
		char *m = x->err->message;
		size_t keep = strnlen(m, sizeof x->err->message - sizeof prefix);
		memmove(m + sizeof prefix - 1, m, keep);
		memcpy(m, prefix, sizeof prefix - 1);
		m[sizeof prefix - 1 + keep] = '\0';
	}
	return -1;
}

/* Reads the next token, which must be there (not the end of the input). */
static int next_in_statement(struct sqlite_dump *x, const char *expected)
{
	if (next(x) < 0)
		return -1;
	return x->tok.type == SQLTOK_EOF ? unexpected(x, expected) : 0;
}

static int expect_punct(struct sqlite_dump *x, const char *punct)
{
	if (next_in_statement(x, punct) < 0)
		return -1;
	if (!sqltok_punct(&x->tok, punct)) {
		char what[8];
		snprintf(what, sizeof what, "\"%s\"", punct);
		return unexpected(x, what);
	}
	return 0;
}

/* --- statements collected whole (DDL, sqlite_sequence) --- */

/* Appends the current token to the statement text with the whitespace and comments before
 * it, so the text is the statement exactly as written. */
static void add_token(struct sqlite_dump *x)
{
	const char *from = x->sql.len && x->r.ref ? x->r.ref : x->tok.start;
	buf_add(&x->sql, from, (size_t)(x->tok.start + x->tok.size - from));
}

/* Starts collecting a statement at the current token. */
static void collect_start(struct sqlite_dump *x)
{
	buf_reset(&x->sql);
	add_token(x);
}

/* Collects the rest of the statement, through its ";" (which a trigger body may also hold:
 * SQLite's sqlite3_complete tells the statement's own). */
static int collect_rest(struct sqlite_dump *x)
{
	if (x->tok.type == SQLTOK_END && sqlite3_complete(buf_str(&x->sql)))
		return 0;
	for (;;) {
		if (next_in_statement(x, "\";\"") < 0)
			return -1;
		add_token(x);
		if (x->tok.type == SQLTOK_END && sqlite3_complete(buf_str(&x->sql)))
			return 0;
	}
}

/* Whether the collected statement is `text`, ignoring case and blanks. */
static int statement_is(const struct sqlite_dump *x, const char *text)
{
	const char *p = buf_str(&x->sql);
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		while (isspace((unsigned char)*text))
			text++;
		if (!*p || !*text)
			return !*p && !*text;
		if (tolower((unsigned char)*p) != tolower((unsigned char)*text))
			return 0;
		p++, text++;
	}
}

static int exec_collected(struct sqlite_dump *x)
{
	if (dump_sqlite_exec(x->d, buf_str(&x->sql), x->err) < 0)
		return placed(x, x->start);
	return 0;
}

/* Reads a table name (bare, "quoted", [bracketed] or, as .dump writes shadow tables,
 * 'quoted') into x->name, adding it to the statement text when `collect`. */
static int table_name(struct sqlite_dump *x, int collect)
{
	if (next_in_statement(x, "a table name") < 0)
		return -1;
	enum sqltok_type type = x->tok.type;
	if (type != SQLTOK_WORD && type != SQLTOK_IDENT && type != SQLTOK_STRING)
		return unexpected(x, "a table name");
	if (collect)
		add_token(x);
	buf_reset(&x->name);
	sqltok_decode(SQL_SQLITE, &x->tok, &x->name);
	buf_str(&x->name);
	return 0;
}

static int create_table(struct sqlite_dump *x)
{
	if (table_name(x, 1) < 0)
		return -1;
	if (sqltok_is(&x->tok, "IF")) {
		for (int i = 0; i < 2; i++) {
			if (next_in_statement(x, "NOT EXISTS") < 0)
				return -1;
			add_token(x);
		}
		if (table_name(x, 1) < 0)
			return -1;
	}
	if (collect_rest(x) < 0)
		return -1;
	if (!dump_table_create_sqlite(x->d, buf_str(&x->name), buf_str(&x->sql), x->err))
		return placed(x, x->start);
	return 0;
}

static int create(struct sqlite_dump *x)
{
	collect_start(x);
	if (next_in_statement(x, "TABLE, INDEX, VIEW or TRIGGER") < 0)
		return -1;
	add_token(x);
	if (sqltok_is(&x->tok, "TABLE"))
		return create_table(x);
	if (sqltok_is(&x->tok, "INDEX") || sqltok_is(&x->tok, "UNIQUE") || sqltok_is(&x->tok, "VIEW") ||
	    sqltok_is(&x->tok, "TRIGGER"))
		return collect_rest(x) < 0 ? -1 : exec_collected(x);
	if (sqltok_is(&x->tok, "VIRTUAL")) {
		if (collect_rest(x) < 0)
			return -1;
		return dump_skip(x->d, "virtual table", x->err) < 0 ? placed(x, x->start) : 0;
	}
	return unexpected(x, "TABLE, INDEX, VIEW or TRIGGER");
}

/* --- values --- */

/* The number at the current token, with the signs before it, into x->num. A 0x integer is
 * given as its decimal value (two's complement of 64 bits, as SQLite reads it). */
static int number_value(struct sqlite_dump *x, int negative)
{
	const struct sqltok *t = &x->tok;
	buf_reset(&x->num);
	if (t->len > 2 && t->text[0] == '0' && (t->text[1] == 'x' || t->text[1] == 'X')) {
		size_t zeros = strspn(t->text + 2, "0");
		if (t->len - 2 - zeros > 16)
			return error_at(x, place_of(x, t->start), "hex literal too big: %.*s", (int)t->len,
					t->text);
		int64_t v = (int64_t)strtoull(t->text + 2 + zeros, NULL, 16);
		if (negative && v == INT64_MIN)
			buf_adds(&x->num, "9223372036854775808"); /* overflows to REAL, as in SQLite */
		else
			buf_addf(&x->num, "%" PRId64, negative ? -v : v);
		return 0;
	}
	if (negative)
		buf_addc(&x->num, '-');
	buf_add(&x->num, t->text, t->len);
	return 0;
}

/* Appends the UTF-8 of code point `c` (U+FFFD for what is none, as SQLite's char()). */
static void add_char(struct buf *b, unsigned long c)
{
	buf_add_utf8(b, c > 0x10ffff ? 0xfffd : (uint32_t)c);
}

/* char(N, …) after its name: the characters into `out`. */
static int char_call(struct sqlite_dump *x, struct buf *out)
{
	if (expect_punct(x, "(") < 0)
		return -1;
	for (;;) {
		if (next_in_statement(x, "a character code") < 0)
			return -1;
		const struct sqltok *t = &x->tok;
		if (t->type != SQLTOK_NUMBER || !isdigit((unsigned char)t->text[0]) ||
		    t->len != strspn(t->text, "0123456789") || t->len > 9)
			return unexpected(x, "a character code");
		add_char(out, strtoul(t->text, NULL, 10));
		if (next_in_statement(x, "\",\" or \")\"") < 0)
			return -1;
		if (sqltok_punct(t, ")"))
			return 0;
		if (!sqltok_punct(t, ","))
			return unexpected(x, "\",\" or \")\"");
	}
}

/* Replaces every `pat` in `s` by `rep`, as SQLite's replace() (an empty pattern changes
 * nothing). */
static void replace_all(struct buf *s, const struct buf *pat, const struct buf *rep)
{
	if (!pat->len || s->len < pat->len)
		return;
	struct buf out = BUF_INIT;
	const char *p = s->data, *end = s->data + s->len, *hit;
	while ((hit = memmem(p, (size_t)(end - p), pat->data, pat->len))) {
		buf_add(&out, p, (size_t)(hit - p));
		buf_add(&out, rep->data, rep->len);
		p = hit + pat->len;
	}
	buf_add(&out, p, (size_t)(end - p));
	buf_free(s);
	*s = out;
}

static int string_into(struct sqlite_dump *x, struct buf *out)
{
	if (x->tok.type != SQLTOK_STRING)
		return unexpected(x, "a string");
	sqltok_decode(SQL_SQLITE, &x->tok, out);
	return 0;
}

/* replace(X, 'pattern', char(N…)) after its name, X a string or another such replace(): the
 * result into `out`. Only this shape, which .dump writes for control characters, is read. */
static int replace_call(struct sqlite_dump *x, struct buf *out, int depth)
{
	if (expect_punct(x, "(") < 0 || next_in_statement(x, "a string or replace(") < 0)
		return -1;
	if (sqltok_is(&x->tok, "replace") && depth < MAX_REPLACE_DEPTH) {
		if (replace_call(x, out, depth + 1) < 0)
			return -1;
	} else if (string_into(x, out) < 0) {
		return -1;
	}
	struct buf pat = BUF_INIT, rep = BUF_INIT;
	int rc = -1;
	if (expect_punct(x, ",") < 0 || next_in_statement(x, "a string") < 0 || string_into(x, &pat) < 0 ||
	    expect_punct(x, ",") < 0 || next_in_statement(x, "char(") < 0)
		goto out;
	if (!sqltok_is(&x->tok, "char")) {
		unexpected(x, "char(");
		goto out;
	}
	if (char_call(x, &rep) < 0 || expect_punct(x, ")") < 0)
		goto out;
	replace_all(out, &pat, &rep);
	rc = 0;
out:
	buf_free(&pat);
	buf_free(&rep);
	return rc;
}

/* Reads the value at the current token and sets it as value `i` of `ins`. */
static int value(struct sqlite_dump *x, struct dump_insert *ins, size_t i)
{
	const struct sqltok *t = &x->tok;
	struct place at = place_of(x, t->start);
	enum dump_lit lit;
	const char *p = NULL;
	size_t len = 0;
	int negative = 0, signs = 0;
	while (sqltok_punct(t, "-") || sqltok_punct(t, "+")) {
		negative ^= sqltok_punct(t, "-");
		signs = 1;
		if (next_in_statement(x, "a number") < 0)
			return -1;
	}
	if (t->type == SQLTOK_NUMBER) {
		if (number_value(x, negative) < 0)
			return -1;
		lit = DUMP_LIT_NUMBER, p = x->num.data, len = x->num.len;
	} else if (signs) {
		return unexpected(x, "a number");
	} else if (sqltok_is(t, "NULL")) {
		lit = DUMP_LIT_NULL;
	} else if (t->type == SQLTOK_STRING) {
		buf_reset(&x->value);
		sqltok_decode(SQL_SQLITE, t, &x->value);
		lit = DUMP_LIT_STRING, p = x->value.data ? x->value.data : "", len = x->value.len;
	} else if (t->type == SQLTOK_HEX && t->quote == '\'') {
		lit = DUMP_LIT_HEX, p = t->text, len = t->len;
	} else if (sqltok_is(t, "replace")) {
		buf_reset(&x->value);
		if (replace_call(x, &x->value, 1) < 0)
			return -1;
		lit = DUMP_LIT_STRING, p = x->value.data ? x->value.data : "", len = x->value.len;
	} else {
		return unexpected(x, "a value (NULL, a number, a string, a blob or replace(…))");
	}
	if (dump_insert_value(ins, i, lit, p, len, x->err) < 0)
		return placed(x, at);
	return 0;
}

/* One "(v, …)" of VALUES, the current token its "(": bound and inserted. */
static int row(struct sqlite_dump *x, struct dump_insert *ins)
{
	struct place at = place_of(x, x->tok.start);
	size_t n = 0, width = dump_insert_width(ins);
	for (;;) {
		if (next_in_statement(x, "a value") < 0)
			return -1;
		if (n == width)
			return error_at(x, place_of(x, x->tok.start), "more than %zu values for table %s",
					width, buf_str(&x->name));
		if (value(x, ins, n++) < 0 || next_in_statement(x, "\",\" or \")\"") < 0)
			return -1;
		if (sqltok_punct(&x->tok, ")"))
			break;
		if (!sqltok_punct(&x->tok, ","))
			return unexpected(x, "\",\" or \")\"");
	}
	if (n < width)
		return error_at(x, at, "%zu values for the %zu columns of table %s", n, width,
				buf_str(&x->name));
	if (dump_insert_row(ins, x->err) < 0)
		return placed(x, at);
	dump_progress(x->d, sqlread_raw_bytes(&x->r));
	return 0;
}

/* The "(a, b)" after the table name: the columns, owned by the caller (free_columns). */
static int column_list(struct sqlite_dump *x, char ***cols, size_t *n)
{
	for (;;) {
		if (next_in_statement(x, "a column name") < 0)
			return -1;
		if (x->tok.type != SQLTOK_WORD && x->tok.type != SQLTOK_IDENT)
			return unexpected(x, "a column name");
		struct buf name = BUF_INIT;
		sqltok_decode(SQL_SQLITE, &x->tok, &name);
		*cols = realloc(*cols, (*n + 1) * sizeof **cols);
		if (!*cols)
			abort();
		(*cols)[(*n)++] = buf_detach(&name);
		if (next_in_statement(x, "\",\" or \")\"") < 0)
			return -1;
		if (sqltok_punct(&x->tok, ")"))
			return next_in_statement(x, "VALUES");
		if (!sqltok_punct(&x->tok, ","))
			return unexpected(x, "\",\" or \")\"");
	}
}

static void free_columns(char **cols, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(cols[i]);
	free(cols);
}

/* The rows of an INSERT into a table of the dump, the current token the one after its name. */
static int insert_rows(struct sqlite_dump *x, struct place name_at)
{
	struct dump_table *t = dump_table_find(x->d, buf_str(&x->name));
	if (!t)
		return error_at(x, name_at, "rows for table %s, which the dump has not created",
				buf_str(&x->name));
	char **cols = NULL;
	size_t ncols = 0;
	int rc = -1;
	if (sqltok_punct(&x->tok, "(") && column_list(x, &cols, &ncols) < 0)
		goto out;
	if (!sqltok_is(&x->tok, "VALUES")) {
		unexpected(x, "VALUES");
		goto out;
	}
	struct dump_insert *ins =
	    dump_insert_prepare(x->d, t, (const char *const *)cols, ncols, DUMP_CONFLICT_ERROR, x->err);
	if (!ins) {
		placed(x, name_at);
		goto out;
	}
	for (;;) {
		if (expect_punct(x, "(") < 0 || row(x, ins) < 0 || next_in_statement(x, "\",\" or \";\"") < 0)
			goto out;
		if (x->tok.type == SQLTOK_END)
			break;
		if (!sqltok_punct(&x->tok, ",")) {
			unexpected(x, "\",\" or \";\"");
			goto out;
		}
	}
	rc = 0;
out:
	free_columns(cols, ncols);
	return rc;
}

/* Reads to the end of the statement, keeping nothing (rows in a schema pass). */
static int skip_rest(struct sqlite_dump *x)
{
	while (x->tok.type != SQLTOK_END)
		if (next_in_statement(x, "\";\"") < 0)
			return -1;
	return 0;
}

static int name_is(const struct sqlite_dump *x, const char *name)
{
	return strcasecmp(buf_str(&x->name), name) == 0;
}

static int insert(struct sqlite_dump *x)
{
	collect_start(x);
	if (next_in_statement(x, "INTO") < 0)
		return -1;
	if (!sqltok_is(&x->tok, "INTO"))
		return unexpected(x, "INTO");
	add_token(x);
	if (table_name(x, 1) < 0)
		return -1;
	struct place name_at = place_of(x, x->tok.start);
	if (name_is(x, "sqlite_sequence"))
		return collect_rest(x) < 0 ? -1 : exec_collected(x);
	if (name_is(x, "sqlite_stat1") || name_is(x, "sqlite_stat4"))
		return collect_rest(x);
	if (name_is(x, "sqlite_schema") || name_is(x, "sqlite_master")) {
		/* PRAGMA writable_schema=ON; a virtual table's entry */
		if (skip_rest(x) < 0)
			return -1;
		return dump_skip(x->d, "virtual table", x->err) < 0 ? placed(x, x->start) : 0;
	}
	if (next_in_statement(x, "VALUES") < 0)
		return -1;
	if (x->pass == DUMP_PASS_SCHEMA)
		return skip_rest(x);
	return insert_rows(x, name_at);
}

/* --- the statement loop --- */

static int pragma(struct sqlite_dump *x)
{
	collect_start(x);
	if (collect_rest(x) < 0)
		return -1;
	if (statement_is(x, "PRAGMA foreign_keys=OFF;") || statement_is(x, "PRAGMA writable_schema=ON;") ||
	    statement_is(x, "PRAGMA writable_schema=OFF;"))
		return 0;
	return error_at(x, x->start, "unexpected statement in an SQLite dump: %.80s", buf_str(&x->sql));
}

/* BEGIN TRANSACTION, COMMIT, ROLLBACK, ANALYZE sqlite_schema, DELETE FROM sqlite_sequence. */
static int simple(struct sqlite_dump *x)
{
	collect_start(x);
	if (collect_rest(x) < 0)
		return -1;
	if (statement_is(x, "BEGIN TRANSACTION;") || statement_is(x, "BEGIN;")) {
		x->in_transaction = 1;
		return 0;
	}
	if (statement_is(x, "COMMIT;") || statement_is(x, "END;") || statement_is(x, "END TRANSACTION;")) {
		x->in_transaction = 0;
		return 0;
	}
	if (statement_is(x, "ROLLBACK;") || statement_is(x, "ROLLBACK TRANSACTION;"))
		return error_at(x, x->start,
				"the dump ends with ROLLBACK: sqlite3 met errors while dumping the database");
	if (statement_is(x, "ANALYZE sqlite_schema;") || statement_is(x, "ANALYZE sqlite_master;"))
		return 0;
	if (statement_is(x, "DELETE FROM sqlite_sequence;"))
		return exec_collected(x);
	return error_at(x, x->start, "unexpected statement in an SQLite dump: %.80s", buf_str(&x->sql));
}

static int statement(struct sqlite_dump *x)
{
	const struct sqltok *t = &x->tok;
	x->start = place_of(x, t->start);
	dump_at(x->d, x->start.line, x->start.column);
	if (t->type == SQLTOK_END)
		return 0;
	if (sqltok_is(t, "CREATE"))
		return create(x);
	if (sqltok_is(t, "INSERT"))
		return insert(x);
	if (sqltok_is(t, "PRAGMA"))
		return pragma(x);
	if (sqltok_is(t, "BEGIN") || sqltok_is(t, "COMMIT") || sqltok_is(t, "END") ||
	    sqltok_is(t, "ROLLBACK") || sqltok_is(t, "ANALYZE") || sqltok_is(t, "DELETE"))
		return simple(x);
	return unexpected(x, "a statement of an SQLite dump");
}

static int finish_input(struct sqlite_dump *x)
{
	if (x->in_transaction)
		return error_at(x, place_of(x, x->tok.start), "truncated dump: the input ends before COMMIT");
	char sha[DIGEST_HEX_LEN + 1];
	if (input_finish_sha256(x->r.in, sha, x->err) < 0)
		return -1;
	dump_end_input(x->d, sqlread_raw_bytes(&x->r), sha, input_compression(x->r.in));
	return 0;
}

int sqldump_load_sqlite(struct dump *d, const char *path, const char *name, enum dump_pass pass,
			const struct sqldump_options *opt, struct amber_error *err)
{
	(void)opt;
	struct sqlite_dump x = {.d = d, .pass = pass, .err = err};
	if (sqlread_open(&x.r, path, name, SQL_SQLITE, err) < 0) {
		sqlread_close(&x.r);
		return -1;
	}
	dump_begin_input(d, x.r.name, pass, input_total_bytes(x.r.in));
	int rc;
	for (;;) {
		rc = next(&x);
		if (rc < 0 || x.tok.type == SQLTOK_EOF)
			break;
		if ((rc = statement(&x)) < 0)
			break;
	}
	if (rc == 0)
		rc = finish_input(&x);
	sqlread_close(&x.r);
	buf_free(&x.sql);
	buf_free(&x.name);
	buf_free(&x.value);
	buf_free(&x.num);
	return rc;
}
