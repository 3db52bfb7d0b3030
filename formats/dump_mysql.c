/* dump_mysql.c — the MySQL/MariaDB dump translator (see sqldump.h).
 *
 * A statement-level state machine over formats/sqlread tokens. INSERT and REPLACE are
 * streamed: each value is converted and bound as it is read and each row inserted at its ")",
 * so an extended INSERT of any length costs the memory of one value. Every other statement is
 * short: it is collected whole (tokens with their places, decoded) and parsed from that list:
 * CREATE TABLE, CREATE [UNIQUE] INDEX, CREATE VIEW, DROP TABLE.
 *
 * Understood and not counted: SET, LOCK/UNLOCK TABLES, START TRANSACTION, BEGIN, COMMIT,
 * ROLLBACK, FLUSH, USE, CREATE/DROP DATABASE, ALTER DATABASE, ALTER TABLE … DISABLE/ENABLE
 * KEYS, DROP VIEW/TRIGGER/PROCEDURE/FUNCTION/EVENT (mysqldump's own clean-up before it
 * recreates them), SELECT SETVAL (a MariaDB sequence's value). Skipped and counted:
 * triggers, procedures, functions, events, sequences, users, roles, GRANT, REVOKE. Anything
 * else is an error.
 *
 * mysqldump writes a view twice: first a stand-in ("SELECT 1 AS `a`", or a table) so that
 * views may read views, then the view itself; the stand-in is dropped. Generated columns are
 * kept as plain columns, because mariadb-dump writes their values. */
#include "formats/sqldump.h"

#include "core/digest.h"
#include "formats/input.h"
#include "formats/sqlread.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A token of a collected statement: its decoded text and its text as written both live in
 * the statement's byte buffer, NUL-terminated. */
struct dtok {
	enum sqltok_type type;
	unsigned flags;
	char quote;
	size_t off, len, raw_off, raw_len;
	const char *text, *raw; /* set once the statement is complete */
	long line, col;
};

struct stmt {
	struct dtok *v; /* ends with a SQLTOK_END token */
	size_t n, cap;
	struct buf bytes;
};

/* A table this input created: its database (a DROP TABLE of another database's table of the
 * same name leaves it alone; CREATE TABLE then reports the clash) and its BIT columns by
 * position (MariaDB dumps their values as strings of raw bytes, '\001', which only the
 * column's type tells from text). */
struct created_table {
	char *table;
	char *db;
	struct buf bit; /* one byte per column: 1 for BIT */
};

struct my {
	struct dump *d;
	struct sqlread r;
	const struct sqldump_options *opt;
	enum dump_pass pass;
	struct amber_error *err;
	struct sqltok tok;
	char db[256];		       /* the current database ("" before any USE) */
	struct buf dbs;		       /* the databases USE named: "a, b" */
	int db_found;		       /* one of them is opt->database */
	char what[320];		       /* the statement being read, for "truncated dump" */
	long what_line;		       /* and the line it starts on */
	struct buf val;		       /* a decoded value */
	struct stmt s;		       /* the current collected statement */
	char **cols;		       /* an INSERT's column list */
	size_t ncols, cap;	       /* of cols */
	struct created_table *created; /* the tables this input created */
	size_t ncreated;
	struct buf new_bits;  /* the table being created: one byte per column */
	struct buf value_bit; /* the current INSERT: one byte per value, 1 for a BIT column */
};

/* --- places and messages --- */

/* An error at the current token, the message followed by the token quoted. */
static int fail_tok(struct my *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail_tok(struct my *m, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	buf_adds(&msg, ": \"");
	sqlread_quote(&msg, m->tok.start, m->tok.size);
	buf_adds(&msg, "\"");
	sqlread_error(&m->r, m->tok.start, m->err, "%s", buf_str(&msg));
	buf_free(&msg);
	return -1;
}

/* An error at a token of the collected statement, quoting it. */
static int fail_dtok(struct my *m, const struct dtok *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_dtok(struct my *m, const struct dtok *t, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (t->type == SQLTOK_END) {
		buf_adds(&msg, " at the end of the statement");
	} else {
		buf_adds(&msg, ": \"");
		sqlread_quote(&msg, t->raw, t->raw_len);
		buf_adds(&msg, "\"");
	}
	amber_error_at(m->err, m->r.name, t->line, t->col, "%s", buf_str(&msg));
	buf_free(&msg);
	return -1;
}

/* Gives an error that core/dump filled (no place) the place of token `t`. */
static int place_dtok(struct my *m, const struct dtok *t)
{
	char message[sizeof m->err->message];
	snprintf(message, sizeof message, "%s", m->err->message);
	return amber_error_at(m->err, m->r.name, t->line, t->col, "%s", message);
}

static int place_tok(struct my *m)
{
	char message[sizeof m->err->message];
	snprintf(message, sizeof message, "%s", m->err->message);
	return sqlread_error(&m->r, m->tok.start, m->err, "%s", message);
}

/* Remembers the statement starting at the current token, for "truncated dump". */
static void statement_begins(struct my *m)
{
	long col;
	sqlread_place(&m->r, m->tok.start, &m->what_line, &col);
	dump_at(m->d, m->what_line, col);
	snprintf(m->what, sizeof m->what, "%.*s", (int)(m->tok.len < 64 ? m->tok.len : 64), m->tok.text);
}

/* --- reading tokens --- */

/* The next token inside a statement: the end of the input there is an error. */
static int next(struct my *m)
{
	if (sqlread_token(&m->r, &m->tok, m->err) < 0)
		return -1;
	if (m->tok.type == SQLTOK_EOF)
		return sqlread_error(&m->r, m->tok.start, m->err,
				     "truncated dump: the input ends inside %s (started at line %ld)",
				     m->what, m->what_line);
	return 0;
}

/* Reads to the end of the current statement. */
static int skip_statement(struct my *m)
{
	while (m->tok.type != SQLTOK_END)
		if (next(m) < 0)
			return -1;
	return 0;
}

/* Whether a token can name something: `name`, name or "name". */
static int is_name(const struct sqltok *t)
{
	return t->type == SQLTOK_IDENT || t->type == SQLTOK_WORD ||
	       (t->type == SQLTOK_STRING && t->quote == '"');
}

/* The current token's name, decoded, into m->val. */
static int tok_name(struct my *m)
{
	buf_reset(&m->val);
	if (sqltok_decode(SQL_MYSQL, &m->tok, &m->val) < 0)
		return fail_tok(m, "invalid name");
	buf_addc(&m->val, '\0');
	m->val.len--;
	return 0;
}

/* --- collected statements --- */

static void stmt_reset(struct stmt *s)
{
	s->n = 0;
	buf_reset(&s->bytes);
}

static void stmt_free(struct stmt *s)
{
	free(s->v);
	buf_free(&s->bytes);
}

static int stmt_push(struct my *m)
{
	struct stmt *s = &m->s;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = realloc(s->v, s->cap * sizeof *s->v);
		if (!s->v)
			abort();
	}
	struct dtok *t = &s->v[s->n++];
	const struct sqltok *k = &m->tok;
	memset(t, 0, sizeof *t);
	t->type = k->type;
	t->flags = k->flags;
	t->quote = k->quote;
	sqlread_place(&m->r, k->start, &t->line, &t->col);
	t->off = s->bytes.len;
	if (k->type == SQLTOK_IDENT || k->type == SQLTOK_STRING) {
		if (sqltok_decode(SQL_MYSQL, k, &s->bytes) < 0)
			return fail_tok(m, "invalid string");
	} else {
		buf_add(&s->bytes, k->text, k->len);
	}
	t->len = s->bytes.len - t->off;
	buf_addc(&s->bytes, '\0');
	t->raw_off = s->bytes.len;
	t->raw_len = k->size;
	buf_add(&s->bytes, k->start, k->size);
	buf_addc(&s->bytes, '\0');
	return 0;
}

/* Collects the statement that starts at the current token, through its end. */
static int collect(struct my *m)
{
	stmt_reset(&m->s);
	for (;;) {
		if (stmt_push(m) < 0)
			return -1;
		if (m->tok.type == SQLTOK_END)
			break;
		if (next(m) < 0)
			return -1;
	}
	for (size_t i = 0; i < m->s.n; i++) {
		m->s.v[i].text = m->s.bytes.data + m->s.v[i].off;
		m->s.v[i].raw = m->s.bytes.data + m->s.v[i].raw_off;
	}
	return 0;
}

/* The token at i, or the final END past the end. */
static const struct dtok *at(const struct my *m, size_t i)
{
	return &m->s.v[i < m->s.n ? i : m->s.n - 1];
}

static int word_is(const struct dtok *t, const char *w)
{
	return t->type == SQLTOK_WORD && strcasecmp(t->text, w) == 0;
}

static int punct_is(const struct dtok *t, const char *p)
{
	return t->type == SQLTOK_PUNCT && strcmp(t->text, p) == 0;
}

static int dname(const struct dtok *t)
{
	return t->type == SQLTOK_IDENT || t->type == SQLTOK_WORD ||
	       (t->type == SQLTOK_STRING && t->quote == '"');
}

/* A name, possibly qualified by a database (`db`.`t`): the last part, *i moved past it. */
static const struct dtok *qualified(const struct my *m, size_t *i)
{
	const struct dtok *t = at(m, *i);
	if (!dname(t))
		return NULL;
	(*i)++;
	while (punct_is(at(m, *i), ".") && dname(at(m, *i + 1))) {
		t = at(m, *i + 1);
		*i += 2;
	}
	return t;
}

/* The index after the parenthesized group opening at i. */
static size_t skip_group(const struct my *m, size_t i)
{
	int depth = 0;
	for (; i < m->s.n; i++) {
		const struct dtok *t = at(m, i);
		if (t->type == SQLTOK_END)
			return i;
		if (punct_is(t, "("))
			depth++;
		else if (punct_is(t, ")") && --depth == 0)
			return i + 1;
	}
	return i;
}

/* --- CREATE TABLE --- */

struct coldef {
	const struct dtok *name;
	enum dump_kind kind;
	int is_int, is_bigint, is_tiny, is_bit; /* type facts that attributes refine */
	long width;				/* the first type argument, or -1 */
	int is_unsigned, not_null, autoinc, primary, unique;
	struct buf def; /* SQLite default expression, "" for none */
};

struct type_name {
	const char *name;
	enum dump_kind kind;
};

static const struct type_name type_names[] = {
    {"tinyint", DUMP_INTEGER},	   {"int1", DUMP_INTEGER},
    {"smallint", DUMP_INTEGER},	   {"int2", DUMP_INTEGER},
    {"mediumint", DUMP_INTEGER},   {"middleint", DUMP_INTEGER},
    {"int3", DUMP_INTEGER},	   {"int", DUMP_INTEGER},
    {"integer", DUMP_INTEGER},	   {"int4", DUMP_INTEGER},
    {"bigint", DUMP_INTEGER},	   {"int8", DUMP_INTEGER},
    {"year", DUMP_INTEGER},	   {"bit", DUMP_INTEGER},
    {"serial", DUMP_EXACT},	   {"bool", DUMP_BOOL},
    {"boolean", DUMP_BOOL},	   {"decimal", DUMP_EXACT},
    {"numeric", DUMP_EXACT},	   {"dec", DUMP_EXACT},
    {"fixed", DUMP_EXACT},	   {"float", DUMP_REAL},
    {"double", DUMP_REAL},	   {"real", DUMP_REAL},
    {"float4", DUMP_REAL},	   {"float8", DUMP_REAL},
    {"char", DUMP_TEXT},	   {"varchar", DUMP_TEXT},
    {"nchar", DUMP_TEXT},	   {"nvarchar", DUMP_TEXT},
    {"national", DUMP_TEXT},	   {"character", DUMP_TEXT},
    {"varcharacter", DUMP_TEXT},   {"tinytext", DUMP_TEXT},
    {"text", DUMP_TEXT},	   {"mediumtext", DUMP_TEXT},
    {"longtext", DUMP_TEXT},	   {"long", DUMP_TEXT},
    {"enum", DUMP_TEXT},	   {"set", DUMP_TEXT},
    {"json", DUMP_TEXT},	   {"date", DUMP_TEXT},
    {"time", DUMP_TEXT},	   {"datetime", DUMP_TEXT},
    {"timestamp", DUMP_TEXT},	   {"uuid", DUMP_TEXT},
    {"inet4", DUMP_TEXT},	   {"inet6", DUMP_TEXT},
    {"tinyblob", DUMP_BLOB},	   {"blob", DUMP_BLOB},
    {"mediumblob", DUMP_BLOB},	   {"longblob", DUMP_BLOB},
    {"binary", DUMP_BLOB},	   {"varbinary", DUMP_BLOB},
    {"geometry", DUMP_BLOB},	   {"point", DUMP_BLOB},
    {"linestring", DUMP_BLOB},	   {"polygon", DUMP_BLOB},
    {"multipoint", DUMP_BLOB},	   {"multilinestring", DUMP_BLOB},
    {"multipolygon", DUMP_BLOB},   {"geometrycollection", DUMP_BLOB},
    {"geomcollection", DUMP_BLOB},
};

/* Reads the type at *i into c. Returns 0, or -1 for a type this translator does not know. */
static int column_type(struct my *m, size_t *i, struct coldef *c)
{
	const struct dtok *t = at(m, *i);
	size_t k;
	for (k = 0; k < sizeof type_names / sizeof *type_names; k++)
		if (word_is(t, type_names[k].name))
			break;
	if (k == sizeof type_names / sizeof *type_names)
		return fail_dtok(m, t, "unknown column type of `%s`", c->name->text);
	c->kind = type_names[k].kind;
	const char *n = type_names[k].name;
	c->is_int = c->kind == DUMP_INTEGER;
	c->is_bigint = !strcmp(n, "bigint") || !strcmp(n, "int8");
	c->is_tiny = !strcmp(n, "tinyint") || !strcmp(n, "int1");
	c->is_bit = !strcmp(n, "bit");
	if (!strcmp(n, "serial"))
		c->autoinc = c->not_null = c->unique = 1;
	(*i)++;
	/* Two-word types: LONG VARBINARY, NATIONAL CHAR, CHARACTER VARYING, DOUBLE PRECISION. */
	const struct dtok *w = at(m, *i);
	if ((!strcmp(n, "long") || !strcmp(n, "national")) && w->type == SQLTOK_WORD) {
		if (word_is(w, "varbinary"))
			c->kind = DUMP_BLOB;
		if (word_is(w, "varbinary") || word_is(w, "varchar") || word_is(w, "char") ||
		    word_is(w, "character") || word_is(w, "varcharacter"))
			(*i)++;
	}
	if (word_is(at(m, *i), "varying") || word_is(at(m, *i), "precision"))
		(*i)++;
	c->width = -1;
	if (punct_is(at(m, *i), "(")) {
		if (at(m, *i + 1)->type == SQLTOK_NUMBER)
			c->width = strtol(at(m, *i + 1)->text, NULL, 10);
		*i = skip_group(m, *i);
	}
	return 0;
}

/* The SQLite text of a string default: '…' with quotes doubled, or X'…' for bytes. */
static void default_string(struct buf *out, const struct dtok *t)
{
	int bytes = (t->flags & SQLTOK_BINARY) || memchr(t->text, '\0', t->len);
	buf_adds(out, bytes ? "X'" : "'");
	for (size_t j = 0; j < t->len; j++) {
		if (bytes)
			buf_addf(out, "%02x", (unsigned char)t->text[j]);
		else if (t->text[j] == '\'')
			buf_adds(out, "''");
		else
			buf_addc(out, t->text[j]);
	}
	buf_addc(out, '\'');
}

/* DEFAULT's value at *i into c->def when SQLite can say it the same way; others are dropped
 * (the image is read-only: defaults only document the schema). */
static void column_default(struct my *m, size_t *i, struct coldef *c)
{
	const struct dtok *t = at(m, *i);
	buf_reset(&c->def);
	if ((punct_is(t, "-") || punct_is(t, "+")) && at(m, *i + 1)->type == SQLTOK_NUMBER) {
		buf_adds(&c->def, punct_is(t, "-") ? "-" : "");
		buf_adds(&c->def, at(m, *i + 1)->text);
		*i += 2;
		return;
	}
	(*i)++;
	if (t->type == SQLTOK_NUMBER || word_is(t, "NULL")) {
		buf_adds(&c->def, t->text);
	} else if (word_is(t, "TRUE") || word_is(t, "FALSE")) {
		buf_adds(&c->def, word_is(t, "TRUE") ? "1" : "0");
	} else if (t->type == SQLTOK_STRING) {
		default_string(&c->def, t);
	} else if (t->type == SQLTOK_HEX && t->len % 2 == 0) {
		buf_addf(&c->def, "X'%s'", t->text);
	} else if (word_is(t, "CURRENT_TIMESTAMP") || word_is(t, "NOW") || word_is(t, "LOCALTIME") ||
		   word_is(t, "LOCALTIMESTAMP")) {
		buf_adds(&c->def, "CURRENT_TIMESTAMP");
	} else if (punct_is(t, "(")) {
		*i = skip_group(m, *i - 1);
	}
	if (t->type == SQLTOK_WORD && punct_is(at(m, *i), "("))
		*i = skip_group(m, *i); /* current_timestamp(6), curdate() */
}

/* Words that take one more token as their value: COMMENT 'x', COLLATE x, STORAGE DISK … */
static int attribute_with_value(const struct dtok *t)
{
	static const char *const words[] = {"COMMENT",	     "COLLATE", "CHARSET",
					    "COLUMN_FORMAT", "STORAGE", "SRID"};
	for (size_t k = 0; k < sizeof words / sizeof *words; k++)
		if (word_is(t, words[k]))
			return 1;
	return 0;
}

/* Attributes that change nothing in the image. */
static int attribute_ignored(const struct dtok *t)
{
	static const char *const words[] = {"SIGNED",  "NULL",	    "BINARY",  "ASCII",	     "UNICODE",
					    "BYTE",    "VIRTUAL",   "STORED",  "PERSISTENT", "INVISIBLE",
					    "VISIBLE", "PRECISION", "VARYING", "COMPRESSED"};
	for (size_t k = 0; k < sizeof words / sizeof *words; k++)
		if (word_is(t, words[k]))
			return 1;
	return 0;
}

/* One column attribute at *i. */
static int column_attribute(struct my *m, size_t *i, struct coldef *c)
{
	const struct dtok *t = at(m, *i), *u = at(m, *i + 1);
	(*i)++;
	if (word_is(t, "UNSIGNED") || word_is(t, "ZEROFILL")) {
		c->is_unsigned = 1;
	} else if (word_is(t, "NOT") && word_is(u, "NULL")) {
		c->not_null = 1;
		(*i)++;
	} else if (word_is(t, "DEFAULT")) {
		column_default(m, i, c);
	} else if (word_is(t, "ON") && word_is(u, "UPDATE")) {
		*i += 2; /* ON UPDATE current_timestamp[(n)] */
		if (punct_is(at(m, *i), "("))
			*i = skip_group(m, *i);
	} else if (word_is(t, "AUTO_INCREMENT")) {
		c->autoinc = 1;
	} else if (word_is(t, "PRIMARY") || (word_is(t, "KEY") && !c->unique)) {
		c->primary = 1;
		*i += word_is(t, "PRIMARY") && word_is(u, "KEY");
	} else if (word_is(t, "UNIQUE")) {
		c->unique = 1;
		*i += word_is(u, "KEY");
	} else if ((word_is(t, "CHARACTER") || word_is(t, "CHAR")) && word_is(u, "SET")) {
		*i += 2;
	} else if (attribute_with_value(t)) {
		*i += 1 + punct_is(u, "=");
	} else if (word_is(t, "GENERATED") || word_is(t, "AS")) {
		/* A generated column: mariadb-dump writes its values, so it is kept as a plain one. */
		while (word_is(at(m, *i), "ALWAYS") || word_is(at(m, *i), "AS"))
			(*i)++;
		*i = skip_group(m, *i);
	} else if (word_is(t, "CHECK")) {
		*i = skip_group(m, *i);
	} else if (word_is(t, "REFERENCES")) {
		*i = m->s.n; /* an inline foreign key, which MySQL ignores too */
	} else if (!attribute_ignored(t)) {
		return fail_dtok(m, t, "unexpected word in the definition of column `%s`", c->name->text);
	}
	return 0;
}

/* Whether a column element ends at i (the "," or ")" after it). */
static int element_end(const struct my *m, size_t i)
{
	const struct dtok *t = at(m, i);
	return t->type == SQLTOK_END || punct_is(t, ",") || punct_is(t, ")");
}

/* A column definition at *i; *i ends on the "," or ")" after it. */
static int column_def(struct my *m, size_t *i, struct dump_table *t)
{
	struct coldef c;
	memset(&c, 0, sizeof c);
	c.name = at(m, *i);
	(*i)++;
	int rc = column_type(m, i, &c);
	while (rc == 0 && !element_end(m, *i))
		rc = column_attribute(m, i, &c);
	if (rc == 0) {
		if (c.is_tiny && c.width == 1)
			c.kind = DUMP_BOOL;
		else if ((c.is_bigint && c.is_unsigned) || (c.is_bit && c.width == 64))
			c.kind = DUMP_EXACT;
		unsigned flags =
		    (c.not_null ? DUMP_COL_NOT_NULL : 0) | (c.autoinc ? DUMP_COL_AUTOINCREMENT : 0);
		rc = dump_column_add(t, c.name->text, c.kind, flags, c.def.len ? buf_str(&c.def) : NULL,
				     m->err);
		buf_addc(&m->new_bits, (char)c.is_bit);
		if (rc < 0)
			place_dtok(m, c.name);
		const char *name = c.name->text;
		if (rc == 0 && c.primary && (rc = dump_primary_key(m->d, t, &name, 1, m->err)) < 0)
			place_dtok(m, c.name);
		if (rc == 0 && c.unique && (rc = dump_index_add(m->d, t, NULL, &name, 1, 1, m->err)) < 0)
			place_dtok(m, c.name);
	}
	buf_free(&c.def);
	return rc;
}

/* A key's parts "(a, b(10) DESC)" at *i into names (at most cap). Returns the count, or -1
 * for parts that are expressions (MySQL 8 functional keys). */
static long key_parts(const struct my *m, size_t *i, const char **names, size_t cap)
{
	size_t end = skip_group(m, *i), n = 0;
	size_t j = *i + 1;
	*i = end;
	while (j < end) {
		const struct dtok *t = at(m, j);
		if (!dname(t) || n == cap)
			return -1;
		names[n++] = t->text;
		j++;
		if (punct_is(at(m, j), "("))
			j = skip_group(m, j);
		if (word_is(at(m, j), "ASC") || word_is(at(m, j), "DESC"))
			j++;
		if (!punct_is(at(m, j), ",") && !punct_is(at(m, j), ")"))
			return -1;
		j++;
	}
	return (long)n;
}

/* Skips to the "," or ")" that ends the element at *i. */
static void element_skip(const struct my *m, size_t *i)
{
	while (!element_end(m, *i))
		*i = punct_is(at(m, *i), "(") ? skip_group(m, *i) : *i + 1;
}

/* Whether every name is a column of t (a key part this translator could not read is not). */
static int columns_known(const struct dump_table *t, const char *const *names, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (dump_column_find(t, names[k]) < 0)
			return 0;
	return 1;
}

#define KEY_PARTS_MAX 64

/* FOREIGN KEY [name] (cols) REFERENCES t (cols) [ON …] at *i (after FOREIGN KEY). */
static int foreign_key(struct my *m, size_t *i, struct dump_table *t)
{
	const char *cols[KEY_PARTS_MAX], *refs[KEY_PARTS_MAX];
	const struct dtok *start = at(m, *i);
	if (dname(start))
		(*i)++;
	if (!punct_is(at(m, *i), "("))
		return fail_dtok(m, at(m, *i), "expected the columns of a FOREIGN KEY");
	long n = key_parts(m, i, cols, KEY_PARTS_MAX);
	if (!word_is(at(m, *i), "REFERENCES"))
		return fail_dtok(m, at(m, *i), "expected REFERENCES");
	(*i)++;
	const struct dtok *ref = qualified(m, i);
	long nref = punct_is(at(m, *i), "(") ? key_parts(m, i, refs, KEY_PARTS_MAX) : 0;
	if (!ref || n < 0 || nref < 0)
		return fail_dtok(m, start, "FOREIGN KEY not understood");
	element_skip(m, i);
	if (!columns_known(t, cols, (size_t)n))
		return 0;
	if (dump_foreign_key(m->d, t, cols, (size_t)n, ref->text, refs, (size_t)nref, m->err) < 0)
		return place_dtok(m, start);
	return 0;
}

/* An index: [name] [USING x] (parts) [options], at *i (after KEY, UNIQUE KEY, …). */
static int index_def(struct my *m, size_t *i, struct dump_table *t, int primary, int unique, int skipped)
{
	const char *cols[KEY_PARTS_MAX];
	const struct dtok *start = at(m, *i), *name = NULL;
	if (dname(start) && !word_is(start, "USING"))
		name = start, (*i)++;
	if (word_is(at(m, *i), "USING"))
		*i += 2;
	if (!punct_is(at(m, *i), "("))
		return fail_dtok(m, at(m, *i), "expected the columns of a key");
	long n = key_parts(m, i, cols, KEY_PARTS_MAX);
	element_skip(m, i);
	const char *tname = dump_table_name(t);
	if (skipped || n < 0 || !columns_known(t, cols, (size_t)(n < 0 ? 0 : n))) {
		dump_warn(m->d, "%s %s%s%s of table %s left out",
			  skipped ? "a FULLTEXT or SPATIAL key" : "a key", name ? "`" : "",
			  name ? name->text : "", name ? "`" : "", tname);
		return 0;
	}
	int rc = primary ? dump_primary_key(m->d, t, cols, (size_t)n, m->err)
			 : dump_index_add(m->d, t, name ? name->text : NULL, cols, (size_t)n, unique, m->err);
	return rc < 0 ? place_dtok(m, start) : 0;
}

/* A key or constraint element at *i, or 0 with *i unchanged when it is a column. */
static int key_element(struct my *m, size_t *i, struct dump_table *t, int *was_key)
{
	const struct dtok *a = at(m, *i);
	*was_key = 1;
	if (a->type != SQLTOK_WORD) {
		*was_key = 0;
		return 0;
	}
	if (word_is(a, "CONSTRAINT")) {
		(*i)++;
		if (dname(at(m, *i)) && !word_is(at(m, *i), "PRIMARY") && !word_is(at(m, *i), "UNIQUE") &&
		    !word_is(at(m, *i), "FOREIGN") && !word_is(at(m, *i), "CHECK"))
			(*i)++;
		a = at(m, *i);
	}
	const struct dtok *b = at(m, *i + 1);
	int key_word = word_is(b, "KEY") || word_is(b, "INDEX");
	if (word_is(a, "PRIMARY") && word_is(b, "KEY")) {
		*i += 2;
		return index_def(m, i, t, 1, 1, 0);
	}
	if (word_is(a, "KEY") || word_is(a, "INDEX")) {
		(*i)++;
		return index_def(m, i, t, 0, 0, 0);
	}
	if (word_is(a, "UNIQUE")) {
		*i += 1 + key_word;
		return index_def(m, i, t, 0, 1, 0);
	}
	if (word_is(a, "FULLTEXT") || word_is(a, "SPATIAL")) {
		*i += 1 + key_word;
		return index_def(m, i, t, 0, 0, 1);
	}
	if (word_is(a, "FOREIGN") && word_is(b, "KEY")) {
		*i += 2;
		return foreign_key(m, i, t);
	}
	if (word_is(a, "CHECK")) {
		element_skip(m, i);
		return 0;
	}
	*was_key = 0;
	return 0;
}

/* Whether the element at i is a key or constraint rather than a column (every word that
 * starts one is reserved in MySQL, so no bare column name can be one). */
static int is_key_element(const struct my *m, size_t i)
{
	static const char *const words[] = {"CONSTRAINT", "PRIMARY", "KEY",	"INDEX", "UNIQUE",
					    "FULLTEXT",	  "SPATIAL", "FOREIGN", "CHECK"};
	for (size_t k = 0; k < sizeof words / sizeof *words; k++)
		if (word_is(at(m, i), words[k]))
			return 1;
	return 0;
}

/* One element in pass `keys` (0: columns, 1: keys), *i ending on the "," or ")" after it. */
static int table_element(struct my *m, size_t *i, struct dump_table *t, int keys)
{
	const struct dtok *a = at(m, *i);
	int was_key = 0;
	if (a->type == SQLTOK_NUMBER && word_is(at(m, *i + 1), "AS") && dname(at(m, *i + 2))) {
		/* a view's placeholder column: "1 AS `col`" */
		if (!keys && dump_column_add(t, at(m, *i + 2)->text, DUMP_TEXT, 0, NULL, m->err) < 0)
			return place_dtok(m, at(m, *i + 2));
	} else if (is_key_element(m, *i) != keys) {
		/* the other pass's */
	} else if (keys) {
		if (key_element(m, i, t, &was_key) < 0)
			return -1;
		if (!was_key)
			return fail_dtok(m, a, "key definition not understood");
	} else if (!dname(a)) {
		return fail_dtok(m, a, "expected a column name");
	} else if (column_def(m, i, t) < 0) {
		return -1;
	}
	element_skip(m, i);
	return 0;
}

/* The elements of CREATE TABLE's parentheses opening at `open`: columns in a first pass, keys
 * in a second, so a key may name any column. */
static int table_elements(struct my *m, size_t open, struct dump_table *t)
{
	for (int keys = 0; keys < 2; keys++) {
		size_t i = open + 1;
		for (;;) {
			if (table_element(m, &i, t, keys) < 0)
				return -1;
			if (punct_is(at(m, i), ")"))
				break;
			if (!punct_is(at(m, i), ","))
				return fail_dtok(m, at(m, i), "expected \",\" or \")\" in CREATE TABLE");
			i++;
		}
	}
	return 0;
}

static struct created_table *created_find(struct my *m, const char *table)
{
	for (size_t k = 0; k < m->ncreated; k++)
		if (strcasecmp(m->created[k].table, table) == 0)
			return &m->created[k];
	return NULL;
}

static void created_forget(struct my *m, const char *table)
{
	struct created_table *b = created_find(m, table);
	if (!b)
		return;
	free(b->table);
	free(b->db);
	buf_free(&b->bit);
	*b = m->created[--m->ncreated];
}

/* Remembers `table` as created in the current database, with m->new_bits as its BIT columns. */
static void created_remember(struct my *m, const char *table)
{
	m->created = realloc(m->created, (m->ncreated + 1) * sizeof *m->created);
	if (!m->created)
		abort();
	struct created_table *b = &m->created[m->ncreated++];
	b->table = strdup(table);
	b->db = strdup(m->db);
	if (!b->table || !b->db)
		abort();
	struct buf empty = BUF_INIT;
	b->bit = m->new_bits;
	m->new_bits = empty;
}

/* DROP TABLE of `table`: a table of that name that this input created in another database
 * stays (mysqldump --databases drops each table before creating it). */
static int drop_table(struct my *m, const char *table)
{
	const struct created_table *b = created_find(m, table);
	if (b && strcasecmp(b->db, m->db) != 0)
		return 0;
	if (dump_table_drop(m->d, table, m->err) < 0)
		return -1;
	created_forget(m, table);
	return 0;
}

/* CREATE [TEMPORARY] TABLE [IF NOT EXISTS] name (…) options, i after TABLE. */
static int create_table(struct my *m, size_t i)
{
	if (word_is(at(m, i), "IF") && word_is(at(m, i + 1), "NOT") && word_is(at(m, i + 2), "EXISTS"))
		i += 3;
	const struct dtok *name = qualified(m, &i);
	if (!name)
		return fail_dtok(m, at(m, i), "expected a table name");
	if (!punct_is(at(m, i), "("))
		return fail_dtok(m, at(m, i), "CREATE TABLE without a column list is not supported");
	struct dump_table *t = dump_table_create(m->d, name->text, m->err);
	if (!t)
		return place_dtok(m, name);
	buf_reset(&m->new_bits);
	if (table_elements(m, i, t) < 0)
		return -1;
	created_forget(m, name->text);
	created_remember(m, name->text);
	return 0;
}

/* --- views --- */

/* Appends a token of a view's SELECT as SQLite reads it: strings re-quoted without
 * backslash escapes or introducers, everything else as written; blanks only between words. */
static void view_token(struct buf *out, const struct dtok *prev, const struct dtok *t)
{
	int tight = punct_is(t, ".") || punct_is(t, ",") || punct_is(t, ")") || punct_is(prev, ".") ||
		    punct_is(prev, "(");
	if (out->len && !tight)
		buf_addc(out, ' ');
	if (t->type == SQLTOK_STRING)
		default_string(out, t);
	else
		buf_add(out, t->raw, t->raw_len);
}

/* Whether the SELECT at i is mysqldump's stand-in for a view, written before the tables it
 * reads exist: "SELECT 1 AS `a`, 1 AS `b`". The real view follows later in the dump. */
static int placeholder_select(const struct my *m, size_t i)
{
	if (!word_is(at(m, i), "SELECT"))
		return 0;
	for (i++;; i += 4) {
		if (at(m, i)->type != SQLTOK_NUMBER || !word_is(at(m, i + 1), "AS") || !dname(at(m, i + 2)))
			return 0;
		if (at(m, i + 3)->type == SQLTOK_END)
			return 1;
		if (!punct_is(at(m, i + 3), ","))
			return 0;
	}
}

/* CREATE … VIEW name [(cols)] AS select [WITH … CHECK OPTION], i after VIEW. */
static int create_view(struct my *m, size_t i)
{
	const struct dtok *name = qualified(m, &i);
	if (!name)
		return fail_dtok(m, at(m, i), "expected a view name");
	if (punct_is(at(m, i), "("))
		i = skip_group(m, i);
	if (!word_is(at(m, i), "AS"))
		return fail_dtok(m, at(m, i), "expected AS in CREATE VIEW");
	if (placeholder_select(m, i + 1))
		return 0;
	size_t end = m->s.n - 1;
	if (end >= i + 3 && word_is(at(m, end - 1), "OPTION") && word_is(at(m, end - 2), "CHECK")) {
		end -= 2;
		if (word_is(at(m, end - 1), "CASCADED") || word_is(at(m, end - 1), "LOCAL"))
			end--;
		if (word_is(at(m, end - 1), "WITH"))
			end--;
	}
	struct buf sql = BUF_INIT;
	for (size_t j = i + 1; j < end; j++)
		view_token(&sql, at(m, j - 1), at(m, j));
	/* The placeholder table mysqldump wrote for it is no longer needed. */
	int rc = drop_table(m, name->text);
	if (rc == 0)
		rc = dump_view(m->d, name->text, buf_str(&sql), m->err);
	buf_free(&sql);
	return rc < 0 ? place_dtok(m, name) : 0;
}

/* --- other statements --- */

/* CREATE [UNIQUE] INDEX name [USING x] ON t (parts) …, i after INDEX. */
static int create_index(struct my *m, size_t i, int unique)
{
	const char *cols[KEY_PARTS_MAX];
	const struct dtok *name = at(m, i);
	if (!dname(name))
		return fail_dtok(m, name, "expected an index name");
	i++;
	if (word_is(at(m, i), "USING"))
		i += 2;
	if (!word_is(at(m, i), "ON"))
		return fail_dtok(m, at(m, i), "expected ON in CREATE INDEX");
	i++;
	const struct dtok *table = qualified(m, &i);
	struct dump_table *t = table ? dump_table_find(m->d, table->text) : NULL;
	if (!t)
		return fail_dtok(m, table ? table : at(m, i),
				 "CREATE INDEX on a table the dump has not created");
	if (!punct_is(at(m, i), "("))
		return fail_dtok(m, at(m, i), "expected the columns of an index");
	long n = key_parts(m, &i, cols, KEY_PARTS_MAX);
	if (n < 0 || !columns_known(t, cols, (size_t)n)) {
		dump_warn(m->d, "index `%s` of table %s left out", name->text, dump_table_name(t));
		return 0;
	}
	if (dump_index_add(m->d, t, name->text, cols, (size_t)n, unique, m->err) < 0)
		return place_dtok(m, name);
	return 0;
}

/* CREATE …: finds what is created past OR REPLACE, ALGORITHM=, DEFINER=, SQL SECURITY. */
static int create_statement(struct my *m)
{
	static const char *const skipped[][2] = {
	    {"TRIGGER", "trigger"}, {"PROCEDURE", "procedure"}, {"FUNCTION", "function"}, {"EVENT", "event"},
	    {"USER", "user"},	    {"ROLE", "role"},		{"SEQUENCE", "sequence"}};
	for (size_t i = 1; i < m->s.n && !punct_is(at(m, i), "("); i++) {
		const struct dtok *t = at(m, i);
		if (word_is(t, "TABLE"))
			return create_table(m, i + 1);
		if (word_is(t, "VIEW"))
			return create_view(m, i + 1);
		if (word_is(t, "INDEX"))
			return create_index(m, i + 1, word_is(at(m, i - 1), "UNIQUE"));
		if (word_is(t, "DATABASE") || word_is(t, "SCHEMA"))
			return 0;
		for (size_t k = 0; k < sizeof skipped / sizeof *skipped; k++) {
			if (word_is(t, skipped[k][0]))
				return dump_skip(m->d, skipped[k][1], m->err) < 0 ? place_dtok(m, at(m, 0))
										  : 0;
		}
	}
	return fail_dtok(m, at(m, 0), "unsupported CREATE statement");
}

/* DROP TABLE [IF EXISTS] a, b: drops them from the model; other DROPs are mysqldump's
 * clean-up before it recreates something. */
static int drop_statement(struct my *m)
{
	size_t i = 1;
	if (word_is(at(m, i), "TEMPORARY"))
		i++;
	if (!word_is(at(m, i), "TABLE") && !word_is(at(m, i), "TABLES"))
		return 0;
	i++;
	if (word_is(at(m, i), "IF") && word_is(at(m, i + 1), "EXISTS"))
		i += 2;
	for (;;) {
		const struct dtok *name = qualified(m, &i);
		if (!name)
			return fail_dtok(m, at(m, i), "expected a table name");
		if (drop_table(m, name->text) < 0)
			return place_dtok(m, name);
		if (!punct_is(at(m, i), ","))
			return 0;
		i++;
	}
}

static int alter_statement(struct my *m)
{
	size_t i = 2;
	if (word_is(at(m, 1), "DATABASE") || word_is(at(m, 1), "SCHEMA") || word_is(at(m, 1), "EVENT"))
		return 0; /* ALTER EVENT follows its skipped CREATE EVENT */
	if (word_is(at(m, 1), "TABLE") && qualified(m, &i) &&
	    (word_is(at(m, i), "DISABLE") || word_is(at(m, i), "ENABLE")) && word_is(at(m, i + 1), "KEYS") &&
	    at(m, i + 2)->type == SQLTOK_END)
		return 0;
	return fail_dtok(m, at(m, 0), "unsupported ALTER statement");
}

/* USE db: the database the following statements belong to. */
static int use_statement(struct my *m)
{
	if (next(m) < 0)
		return -1;
	if (!is_name(&m->tok))
		return fail_tok(m, "expected a database name after USE");
	if (tok_name(m) < 0)
		return -1;
	snprintf(m->db, sizeof m->db, "%s", buf_str(&m->val));
	if (m->opt && m->opt->database && strcasecmp(m->db, m->opt->database) == 0)
		m->db_found = 1;
	buf_addf(&m->dbs, "%s%s", m->dbs.len ? ", " : "", m->db);
	if (next(m) < 0)
		return -1;
	return skip_statement(m);
}

/* --- INSERT --- */

static void cols_clear(struct my *m)
{
	for (size_t k = 0; k < m->ncols; k++)
		free(m->cols[k]);
	m->ncols = 0;
}

/* "(a, b, c)" at the current token into m->cols; ends past the ")". */
static int insert_columns(struct my *m)
{
	cols_clear(m);
	for (;;) {
		if (next(m) < 0)
			return -1;
		if (!is_name(&m->tok))
			return fail_tok(m, "expected a column name");
		if (tok_name(m) < 0)
			return -1;
		if (m->ncols == m->cap) {
			m->cap = m->cap ? 2 * m->cap : 16;
			m->cols = realloc(m->cols, m->cap * sizeof *m->cols);
			if (!m->cols)
				abort();
		}
		m->cols[m->ncols++] = buf_detach(&m->val);
		if (next(m) < 0)
			return -1;
		if (sqltok_punct(&m->tok, ")"))
			return next(m);
		if (!sqltok_punct(&m->tok, ","))
			return fail_tok(m, "expected \",\" or \")\" in a column list");
	}
}

/* The bytes of the current string token as hex digits (a _binary value for a number column,
 * as MariaDB dumps BIT columns). */
static void string_as_hex(struct my *m)
{
	static const char digits[] = "0123456789abcdef";
	struct buf raw = BUF_INIT;
	sqltok_decode(SQL_MYSQL, &m->tok, &raw);
	buf_reset(&m->val);
	buf_grow(&m->val, 2 * raw.len);
	for (size_t k = 0; k < raw.len; k++) {
		buf_addc(&m->val, digits[(unsigned char)raw.data[k] >> 4]);
		buf_addc(&m->val, digits[(unsigned char)raw.data[k] & 15]);
	}
	buf_free(&raw);
}

/* Whether a string token's body is an optionally signed decimal integer. */
static int decimal_text(const struct sqltok *t)
{
	size_t k = t->len && (t->text[0] == '-' || t->text[0] == '+');
	if (k == t->len)
		return 0;
	for (; k < t->len; k++)
		if (t->text[k] < '0' || t->text[k] > '9')
			return 0;
	return 1;
}

/* Which values of the current INSERT go to BIT columns, into m->value_bit. A table that an
 * earlier input created (a --no-data dump before a --no-create-info one) has no entry: core/dump
 * does not keep MySQL types, so there a string into a number column is taken as a BIT value's
 * bytes unless it is written as a decimal integer (mysqldump quotes no other numbers). */
static void value_bits(struct my *m, const struct dump_table *t, size_t width)
{
	buf_reset(&m->value_bit);
	const struct created_table *b = created_find(m, dump_table_name(t));
	if (!b)
		return;
	for (size_t k = 0; k < width; k++) {
		long col = m->ncols ? dump_column_find(t, m->cols[k]) : (long)k;
		buf_addc(&m->value_bit, (char)(col >= 0 && (size_t)col < b->bit.len && b->bit.data[col]));
	}
}

/* Whether the current token is the one-byte punctuation `c` (the hot path of an INSERT). */
static int at_char(const struct my *m, char c)
{
	return m->tok.type == SQLTOK_PUNCT && m->tok.len == 1 && m->tok.text[0] == c;
}

/* Value k of a row, starting at the current token. */
static int insert_value(struct my *m, struct dump_insert *ins, size_t k)
{
	struct sqltok *t = &m->tok;
	enum dump_lit lit;
	const char *p = t->text;
	size_t n = t->len;
	int negative = 0;
	if (at_char(m, '-') || at_char(m, '+')) {
		negative = at_char(m, '-');
		if (next(m) < 0)
			return -1;
		if (t->type != SQLTOK_NUMBER)
			return fail_tok(m, "expected a number after a sign");
		p = t->text;
		n = t->len;
	}
	if (t->type == SQLTOK_NUMBER) {
		lit = DUMP_LIT_NUMBER;
		if (negative) {
			buf_reset(&m->val);
			buf_addc(&m->val, '-');
			buf_add(&m->val, t->text, t->len);
			p = m->val.data;
			n = m->val.len;
		}
	} else if (t->type == SQLTOK_STRING) {
		enum dump_kind kind = dump_insert_kind(ins, k);
		lit = DUMP_LIT_STRING;
		int numeric = kind == DUMP_INTEGER || kind == DUMP_EXACT || kind == DUMP_BOOL;
		int bit = k < m->value_bit.len ? m->value_bit.data[k] : !decimal_text(t);
		if (numeric && (bit || (t->flags & SQLTOK_BINARY))) {
			string_as_hex(m);
			lit = DUMP_LIT_HEX;
			p = m->val.data ? m->val.data : "";
			n = m->val.len;
		} else if (t->flags & SQLTOK_ESCAPED) {
			buf_reset(&m->val);
			sqltok_decode(SQL_MYSQL, t, &m->val);
			p = m->val.data;
			n = m->val.len;
		}
	} else if (t->type == SQLTOK_HEX) {
		lit = DUMP_LIT_HEX;
	} else if (t->type == SQLTOK_BITS) {
		lit = DUMP_LIT_BITS;
	} else if (sqltok_is(t, "NULL")) {
		lit = DUMP_LIT_NULL;
	} else if (sqltok_is(t, "TRUE") || sqltok_is(t, "FALSE")) {
		lit = DUMP_LIT_BOOL;
		p = sqltok_is(t, "TRUE") ? "1" : "0";
		n = 1;
	} else {
		return fail_tok(m, "a value of %s that is not a literal", m->what);
	}
	if (dump_insert_value(ins, k, lit, p ? p : "", n, m->err) < 0)
		return place_tok(m);
	return 0;
}

/* One "(v, v, …)" at the current token, inserted. */
static int insert_row(struct my *m, struct dump_insert *ins, size_t width)
{
	if (!at_char(m, '('))
		return fail_tok(m, "expected \"(\" to start a row of %s", m->what);
	size_t k = 0;
	if (next(m) < 0)
		return -1;
	while (!(k == 0 && at_char(m, ')'))) {
		if (k == width)
			return fail_tok(m, "a row of %s has more than its %zu columns", m->what, width);
		if (insert_value(m, ins, k++) < 0 || next(m) < 0)
			return -1;
		if (at_char(m, ')'))
			break;
		if (!at_char(m, ','))
			return fail_tok(m, "expected \",\" or \")\" after a value");
		if (next(m) < 0)
			return -1;
	}
	if (k != width)
		return fail_tok(m, "a row of %s has %zu values for %zu columns", m->what, k, width);
	if (dump_insert_row(ins, m->err) < 0)
		return place_tok(m);
	dump_progress(m->d, sqlread_raw_bytes(&m->r));
	return next(m);
}

/* INSERT [LOW_PRIORITY|DELAYED|HIGH_PRIORITY] [IGNORE] [INTO] t [(cols)] VALUES (…), …;
 * REPLACE likewise. */
static int insert_statement(struct my *m)
{
	enum dump_conflict conflict =
	    sqltok_is(&m->tok, "REPLACE") ? DUMP_CONFLICT_REPLACE : DUMP_CONFLICT_ERROR;
	if (next(m) < 0)
		return -1;
	while (sqltok_is(&m->tok, "LOW_PRIORITY") || sqltok_is(&m->tok, "DELAYED") ||
	       sqltok_is(&m->tok, "HIGH_PRIORITY") || sqltok_is(&m->tok, "IGNORE") ||
	       sqltok_is(&m->tok, "INTO")) {
		if (sqltok_is(&m->tok, "IGNORE"))
			conflict = DUMP_CONFLICT_IGNORE;
		if (next(m) < 0)
			return -1;
	}
	char name[256] = "";
	long line = 0, col = 0;
	for (;;) { /* `db`.`t`: the last part */
		if (!is_name(&m->tok))
			return fail_tok(m, "expected a table name");
		if (tok_name(m) < 0)
			return -1;
		snprintf(name, sizeof name, "%s", buf_str(&m->val));
		sqlread_place(&m->r, m->tok.start, &line, &col);
		if (next(m) < 0)
			return -1;
		if (!sqltok_punct(&m->tok, "."))
			break;
		if (next(m) < 0)
			return -1;
	}
	snprintf(m->what, sizeof m->what, "INSERT INTO `%s`", name);
	struct dump_table *t = dump_table_find(m->d, name);
	if (!t)
		return amber_error_at(m->err, m->r.name, line, col,
				      "INSERT INTO `%s`, a table the dump has not created", name);
	cols_clear(m);
	if (sqltok_punct(&m->tok, "(") && insert_columns(m) < 0)
		return -1;
	if (!sqltok_is(&m->tok, "VALUES") && !sqltok_is(&m->tok, "VALUE"))
		return fail_tok(m, "only INSERT … VALUES is supported");
	if (m->pass == DUMP_PASS_SCHEMA)
		return skip_statement(m);
	struct dump_insert *ins =
	    dump_insert_prepare(m->d, t, (const char *const *)m->cols, m->ncols, conflict, m->err);
	if (!ins)
		return place_tok(m);
	size_t width = dump_insert_width(ins);
	value_bits(m, t, width);
	if (next(m) < 0)
		return -1;
	for (;;) {
		if (insert_row(m, ins, width) < 0)
			return -1;
		if (m->tok.type == SQLTOK_END)
			return 0;
		if (sqltok_is(&m->tok, "ON"))
			return fail_tok(m, "INSERT … ON DUPLICATE KEY UPDATE is not supported");
		if (!at_char(m, ','))
			return fail_tok(m, "expected \",\" or the end of %s", m->what);
		if (next(m) < 0)
			return -1;
	}
}

/* --- statements --- */

/* Statements that change nothing in the image. */
static int harmless(const struct sqltok *t)
{
	static const char *const words[] = {"SET",   "LOCK",   "UNLOCK",   "START",
					    "BEGIN", "COMMIT", "ROLLBACK", "FLUSH"};
	for (size_t k = 0; k < sizeof words / sizeof *words; k++)
		if (sqltok_is(t, words[k]))
			return 1;
	return 0;
}

/* Whether the current database is one that --database leaves out. */
static int other_database(const struct my *m)
{
	return m->opt && m->opt->database && m->db[0] && strcasecmp(m->db, m->opt->database) != 0;
}

/* Statements collected whole and parsed from the token list. */
static int collected_statement(struct my *m)
{
	if (collect(m) < 0)
		return -1;
	const struct dtok *first = at(m, 0);
	if (word_is(first, "CREATE"))
		return create_statement(m);
	if (word_is(first, "DROP"))
		return drop_statement(m);
	if (word_is(first, "ALTER"))
		return alter_statement(m);
	const char *what = word_is(first, "GRANT") ? "GRANT" : "REVOKE";
	return dump_skip(m->d, what, m->err) < 0 ? place_dtok(m, first) : 0;
}

/* One statement, from its first token through its end. */
static int statement(struct my *m)
{
	struct sqltok *t = &m->tok;
	statement_begins(m);
	if (sqltok_is(t, "USE"))
		return use_statement(m);
	if (other_database(m) || harmless(t))
		return skip_statement(m);
	if (sqltok_is(t, "INSERT") || sqltok_is(t, "REPLACE"))
		return insert_statement(m);
	if (sqltok_is(t, "SELECT")) { /* MariaDB's sequences are restored by SELECT SETVAL(…) */
		if (next(m) < 0)
			return -1;
		return sqltok_is(t, "SETVAL") ? skip_statement(m)
					      : fail_tok(m, "unsupported SELECT statement");
	}
	if (sqltok_is(t, "CREATE") || sqltok_is(t, "DROP") || sqltok_is(t, "ALTER") ||
	    sqltok_is(t, "GRANT") || sqltok_is(t, "REVOKE"))
		return collected_statement(m);
	return fail_tok(m, "unsupported statement");
}

static int load(struct my *m, const char *path, const char *name)
{
	if (sqlread_open(&m->r, path, name, SQL_MYSQL, m->err) < 0)
		return -1;
	dump_begin_input(m->d, m->r.name, m->pass, input_total_bytes(m->r.in));
	for (;;) {
		if (sqlread_token(&m->r, &m->tok, m->err) < 0)
			return -1;
		if (m->tok.type == SQLTOK_EOF)
			break;
		if (m->tok.type != SQLTOK_END && statement(m) < 0)
			return -1;
	}
	if (m->opt && m->opt->database && m->dbs.len && !m->db_found)
		return amber_error_at(m->err, m->r.name, 0, 0, "the dump has no database `%s` (it has %s)",
				      m->opt->database, buf_str(&m->dbs));
	char sha[DIGEST_HEX_LEN + 1];
	if (input_finish_sha256(m->r.in, sha, m->err) < 0)
		return -1;
	dump_end_input(m->d, sqlread_raw_bytes(&m->r), sha, input_compression(m->r.in));
	return 0;
}

int sqldump_load_mysql(struct dump *d, const char *path, const char *name, enum dump_pass pass,
		       const struct sqldump_options *opt, struct amber_error *err)
{
	struct my m;
	memset(&m, 0, sizeof m);
	m.d = d;
	m.opt = opt;
	m.pass = pass;
	m.err = err;
	int rc = load(&m, path, name);
	sqlread_close(&m.r);
	cols_clear(&m);
	free(m.cols);
	buf_free(&m.val);
	buf_free(&m.dbs);
	stmt_free(&m.s);
	while (m.ncreated)
		created_forget(&m, m.created[0].table);
	free(m.created);
	buf_free(&m.new_bits);
	buf_free(&m.value_bit);
	return rc;
}
