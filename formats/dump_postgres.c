/* dump_postgres.c — pg_dump and pg_dumpall plain-format dumps into core/dump (see sqldump.h).
 *
 * pg_dump writes its keys and indexes after the data, so a file is read twice: the schema pass
 * defines tables, keys and indexes and skips COPY blocks line by line without decoding them;
 * the data pass reads the DDL again (core/dump ignores it then; this file refreshes only its
 * own notes on array and bytea columns) and loads the rows, so every key is part of its table
 * before the first row arrives.
 *
 * Statements with no meaning in a read-only copy (SET, set_config, CREATE SCHEMA, OWNER TO,
 * column defaults and identities, ALTER SEQUENCE, BEGIN/COMMIT, --clean's DROPs, psql's
 * \restrict) are passed over; objects that are not kept (sequences and setval, functions,
 * procedures, triggers, types, views, roles, databases, GRANT, REVOKE, COMMENT, policies,
 * large objects, ...) are counted with dump_skip; anything else is an error with its place.
 *
 * DDL and other short statements are read whole into an array of tokens with places; INSERT
 * statements are streamed row by row, and COPY data is read as lines, split on tabs and
 * decoded into one reused buffer. Array values become the JSON text array_to_json() prints. */
#include "formats/json.h"
#include "formats/sqldump.h"
#include "formats/sqlread.h"

#include "core/hex.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* How the elements of an array column print as JSON (0: the column is not an array). */
enum elem_class {
	ELEM_NONE = 0,
	ELEM_TEXT,
	ELEM_NUMBER,
	ELEM_BOOL,
	ELEM_JSON,
	ELEM_TIMESTAMP,
	ELEM_TIMESTAMPTZ
};

/* A column's conversion beyond its dump kind. */
struct pg_column {
	unsigned char elem; /* enum elem_class */
	unsigned char blob; /* bytea: \x hex or escape format */
};

/* What this translator remembers about a table: its array and bytea columns. */
struct pg_table {
	char *name;
	const struct dump_table *t;
	struct pg_column *cols;
	size_t ncols;
	struct pg_table *next;
};

/* A token of the statement being read: value text (words folded to lower case, strings and
 * quoted identifiers decoded) and the text as written, both NUL-terminated in pg->text. */
struct ptok {
	enum sqltok_type type;
	unsigned flags;
	size_t off, raw;
	long line, col;
};

/* A buffered INSERT value. */
struct pval {
	enum dump_lit lit;
	size_t off, len;
	long line, col;
};

struct pg {
	struct dump *d;
	struct sqlread r;
	enum dump_pass pass;
	struct amber_error *err;
	const char *schema;  /* tables of this schema keep bare names */
	const char *want_db; /* load only this database of a pg_dumpall (NULL: all) */
	char db[256];	     /* the database of the last \connect ("" before any) */
	int saw_want_db;     /* want_db was connected to */
	int ignoring;	     /* inside a database that is not loaded */
	struct sqltok tok;   /* the last token read */
	struct ptok *toks;   /* the statement read whole */
	size_t ntoks, captoks;
	struct buf text;  /* texts of toks */
	struct buf field; /* a decoded COPY field or INSERT string */
	struct buf conv;  /* a converted value (bytea, array JSON) */
	struct buf elem;  /* one array element */
	struct buf row;	  /* values of the INSERT row being read */
	struct pval *vals;
	size_t nvals, capvals;
	const char **names; /* a column list */
	size_t nnames, capnames;
};

/* --- errors --- */

/* An error at token `i` of the statement, quoting it. */
static int tok_error(struct pg *pg, size_t i, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int tok_error(struct pg *pg, size_t i, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (pg->ntoks == 0)
		return sqlread_error(&pg->r, NULL, pg->err, "%s", msg);
	if (i >= pg->ntoks)
		i = pg->ntoks - 1;
	const struct ptok *t = &pg->toks[i];
	const char *raw = pg->text.data + t->raw;
	struct buf quoted = BUF_INIT;
	sqlread_quote(&quoted, raw, strlen(raw));
	amber_error_at(pg->err, pg->r.name, t->line, t->col, "%s at \"%s\"", msg, buf_str(&quoted));
	buf_free(&quoted);
	return -1;
}

/* Adds the place (line, col) to an error that core/dump set without one. */
static int place_error(struct pg *pg, long line, long col)
{
	char msg[sizeof pg->err->message];
	memcpy(msg, pg->err->message, sizeof msg);
	return amber_error_at(pg->err, pg->r.name, line, col, "%s", msg);
}

/* --- tokens --- */

static int next(struct pg *pg)
{
	return sqlread_token(&pg->r, &pg->tok, pg->err);
}

static size_t text_add(struct pg *pg, const char *p, size_t n)
{
	size_t off = pg->text.len;
	buf_add(&pg->text, p, n);
	buf_addc(&pg->text, '\0');
	return off;
}

/* Appends the current token to the statement. */
static int keep_token(struct pg *pg)
{
	const struct sqltok *tok = &pg->tok;
	if (pg->ntoks == pg->captoks) {
		pg->captoks = pg->captoks ? 2 * pg->captoks : 64;
		pg->toks = realloc(pg->toks, pg->captoks * sizeof *pg->toks);
		if (!pg->toks)
			abort();
	}
	struct ptok *t = &pg->toks[pg->ntoks];
	t->type = tok->type;
	t->flags = tok->flags;
	sqlread_place(&pg->r, tok->start, &t->line, &t->col);
	t->raw = text_add(pg, tok->start, tok->size > 64 ? 64 : tok->size);
	if (tok->type == SQLTOK_STRING || tok->type == SQLTOK_IDENT) {
		t->off = pg->text.len;
		if (sqltok_decode(SQL_POSTGRES, tok, &pg->text) < 0)
			return sqlread_error(&pg->r, tok->start, pg->err, "invalid escape in a string");
		buf_addc(&pg->text, '\0');
	} else {
		t->off = text_add(pg, tok->text, tok->len);
		if (tok->type == SQLTOK_WORD)
			for (char *c = pg->text.data + t->off; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c + 32);
	}
	pg->ntoks++;
	return 0;
}

/* Reads the rest of a statement whose first token is pg->tok. */
static int read_statement(struct pg *pg)
{
	pg->ntoks = 0;
	buf_reset(&pg->text);
	for (;;) {
		if (pg->tok.type == SQLTOK_EOF)
			return tok_error(pg, 0, "truncated dump: the input ends inside this statement");
		if (pg->tok.type == SQLTOK_META)
			return sqlread_error(&pg->r, pg->tok.start, pg->err,
					     "a psql command inside an SQL statement: \"%.40s\"",
					     pg->tok.text);
		if (keep_token(pg) < 0)
			return -1;
		if (pg->tok.type == SQLTOK_END)
			return 0;
		if (next(pg) < 0)
			return -1;
	}
}

static const char *txt(const struct pg *pg, size_t i)
{
	return i < pg->ntoks ? pg->text.data + pg->toks[i].off : "";
}

/* Whether token i is the keyword `word` (lower case). */
static int is(const struct pg *pg, size_t i, const char *word)
{
	return i < pg->ntoks && pg->toks[i].type == SQLTOK_WORD && strcmp(txt(pg, i), word) == 0;
}

static int is_punct(const struct pg *pg, size_t i, const char *p)
{
	return i < pg->ntoks && pg->toks[i].type == SQLTOK_PUNCT && strcmp(txt(pg, i), p) == 0;
}

static int is_name(const struct pg *pg, size_t i)
{
	return i < pg->ntoks && (pg->toks[i].type == SQLTOK_WORD || pg->toks[i].type == SQLTOK_IDENT);
}

/* Skips a parenthesized group starting at i (which must be "("); returns the index after it. */
static size_t skip_group(const struct pg *pg, size_t i)
{
	int depth = 0;
	for (; i < pg->ntoks; i++) {
		if (is_punct(pg, i, "(") || is_punct(pg, i, "["))
			depth++;
		else if ((is_punct(pg, i, ")") || is_punct(pg, i, "]")) && --depth <= 0)
			return i + 1;
	}
	return i;
}

/* The index of the next "," or ")" at depth 0 from i, or of the END token. */
static size_t element_end(const struct pg *pg, size_t i)
{
	while (i < pg->ntoks && pg->toks[i].type != SQLTOK_END && !is_punct(pg, i, ",") &&
	       !is_punct(pg, i, ")"))
		i = is_punct(pg, i, "(") || is_punct(pg, i, "[") ? skip_group(pg, i) : i + 1;
	return i;
}

/* --- names --- */

/* A possibly schema-qualified name at *i → the table name in the database. */
static int qualified_name(struct pg *pg, size_t *i, char *out, size_t cap)
{
	if (!is_name(pg, *i))
		return tok_error(pg, *i, "expected a name");
	const char *schema = NULL, *name = txt(pg, *i);
	(*i)++;
	while (is_punct(pg, *i, ".") && is_name(pg, *i + 1)) {
		schema = name;
		name = txt(pg, *i + 1);
		*i += 2;
	}
	int n = !schema || strcmp(schema, pg->schema) == 0 ? snprintf(out, cap, "%s", name)
							   : snprintf(out, cap, "%s_%s", schema, name);
	if (n < 0 || (size_t)n >= cap)
		return tok_error(pg, *i - 1, "name too long");
	return 0;
}

static void name_push(struct pg *pg, const char *name)
{
	if (pg->nnames == pg->capnames) {
		pg->capnames = pg->capnames ? 2 * pg->capnames : 16;
		pg->names = realloc(pg->names, pg->capnames * sizeof *pg->names);
		if (!pg->names)
			abort();
	}
	pg->names[pg->nnames++] = name;
}

/* A parenthesized list of column names at *i into pg->names. */
static int name_list(struct pg *pg, size_t *i)
{
	pg->nnames = 0;
	if (!is_punct(pg, *i, "("))
		return tok_error(pg, *i, "expected a column list");
	for ((*i)++;; (*i)++) {
		if (!is_name(pg, *i))
			return tok_error(pg, *i, "expected a column name");
		name_push(pg, txt(pg, *i));
		(*i)++;
		if (is_punct(pg, *i, ")")) {
			(*i)++;
			return 0;
		}
		if (!is_punct(pg, *i, ","))
			return tok_error(pg, *i, "expected \",\" or \")\" in a column list");
	}
}

/* --- tables: what this file knows beyond core/dump --- */

/* Notes on the array and bytea columns of the tables of the dump being loaded. They outlive
 * one call because a --data-only dump may follow the --schema-only one that defined its
 * tables, and core/dump keeps only column kinds. A note counts only while its table is still
 * the one core/dump has under that name. */
static struct {
	const struct dump *d;
	struct pg_table *tables;
} notes;

static void notes_reset(const struct dump *d)
{
	while (notes.tables) {
		struct pg_table *t = notes.tables;
		notes.tables = t->next;
		free(t->name);
		free(t->cols);
		free(t);
	}
	notes.d = d;
}

static struct pg_table *table_info(struct pg *pg, const char *name)
{
	struct dump_table *dt = dump_table_find(pg->d, name);
	for (struct pg_table *t = notes.tables; t; t = t->next)
		if (strcasecmp(t->name, name) == 0)
			return t->t == dt ? t : NULL;
	return NULL;
}

/* A fresh note for table `dt` called `name`. */
static struct pg_table *table_info_new(const char *name, const struct dump_table *dt)
{
	for (struct pg_table *t = notes.tables; t; t = t->next)
		if (strcasecmp(t->name, name) == 0) {
			t->t = dt;
			t->ncols = 0;
			return t;
		}
	struct pg_table *t = calloc(1, sizeof *t);
	if (!t || !(t->name = strdup(name)))
		abort();
	t->t = dt;
	t->next = notes.tables;
	notes.tables = t;
	return t;
}

static void table_info_column(struct pg_table *t, struct pg_column c)
{
	t->cols = realloc(t->cols, (t->ncols + 1) * sizeof *t->cols);
	if (!t->cols)
		abort();
	t->cols[t->ncols++] = c;
}

/* --- column types --- */

struct type_map {
	const char *name;
	enum dump_kind kind;
	enum elem_class elem;
};

static const struct type_map types[] = {
    {"smallint", DUMP_INTEGER, ELEM_NUMBER},
    {"integer", DUMP_INTEGER, ELEM_NUMBER},
    {"int", DUMP_INTEGER, ELEM_NUMBER},
    {"bigint", DUMP_INTEGER, ELEM_NUMBER},
    {"int2", DUMP_INTEGER, ELEM_NUMBER},
    {"int4", DUMP_INTEGER, ELEM_NUMBER},
    {"int8", DUMP_INTEGER, ELEM_NUMBER},
    {"serial", DUMP_INTEGER, ELEM_NUMBER},
    {"serial4", DUMP_INTEGER, ELEM_NUMBER},
    {"bigserial", DUMP_INTEGER, ELEM_NUMBER},
    {"serial8", DUMP_INTEGER, ELEM_NUMBER},
    {"smallserial", DUMP_INTEGER, ELEM_NUMBER},
    {"serial2", DUMP_INTEGER, ELEM_NUMBER},
    {"numeric", DUMP_EXACT, ELEM_NUMBER},
    {"decimal", DUMP_EXACT, ELEM_NUMBER},
    {"real", DUMP_REAL, ELEM_NUMBER},
    {"float4", DUMP_REAL, ELEM_NUMBER},
    {"float8", DUMP_REAL, ELEM_NUMBER},
    {"float", DUMP_REAL, ELEM_NUMBER},
    {"double", DUMP_REAL, ELEM_NUMBER},
    {"boolean", DUMP_BOOL, ELEM_BOOL},
    {"bool", DUMP_BOOL, ELEM_BOOL},
    {"bytea", DUMP_BLOB, ELEM_TEXT},
    {"json", DUMP_TEXT, ELEM_JSON},
    {"jsonb", DUMP_TEXT, ELEM_JSON},
    {"timestamp", DUMP_TEXT, ELEM_TIMESTAMP},
    {"timestamptz", DUMP_TEXT, ELEM_TIMESTAMPTZ},
};

/* The column type in tokens [from, to): its dump kind and, for an array, its elements. */
static void column_type(const struct pg *pg, size_t from, size_t to, enum dump_kind *kind,
			struct pg_column *c)
{
	size_t base = from;
	while (base + 2 < to && is_punct(pg, base + 1, ".") && is_name(pg, base + 2))
		base += 2;
	const char *name = txt(pg, base);
	int array = 0, with_tz = 0;
	for (size_t i = from; i < to; i++) {
		array |= is_punct(pg, i, "[") || is(pg, i, "array");
		with_tz |= is(pg, i, "with");
	}
	*kind = DUMP_TEXT;
	enum elem_class elem = ELEM_TEXT;
	for (size_t k = 0; k < sizeof types / sizeof types[0]; k++)
		if (strcmp(types[k].name, name) == 0) {
			*kind = types[k].kind;
			elem = types[k].elem;
		}
	if (elem == ELEM_TIMESTAMP && with_tz)
		elem = ELEM_TIMESTAMPTZ;
	c->blob = !array && *kind == DUMP_BLOB;
	c->elem = array ? (unsigned char)elem : ELEM_NONE;
	if (array)
		*kind = DUMP_TEXT;
}

/* --- values: COPY escapes, bytea, arrays --- */

static int is_octal(char c)
{
	return c >= '0' && c <= '7';
}

/* Undoes COPY's text-format escapes into `out` (never longer than the field). */
static void copy_unescape(const char *p, size_t len, struct buf *out)
{
	buf_reset(out);
	buf_grow(out, len);
	char *o = out->data;
	const char *end = p + len;
	while (p < end) {
		const char *bs = memchr(p, '\\', (size_t)(end - p));
		if (!bs) {
			memcpy(o, p, (size_t)(end - p));
			o += end - p;
			break;
		}
		memcpy(o, p, (size_t)(bs - p));
		o += bs - p;
		p = bs + 1;
		if (p == end) {
			*o++ = '\\';
			break;
		}
		char c = *p++;
		switch (c) {
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'v':
			*o++ = '\v';
			break;
		case 'x':
			if (p < end && hex_digit(*p) >= 0) {
				int v = hex_digit(*p++);
				if (p < end && hex_digit(*p) >= 0)
					v = v * 16 + hex_digit(*p++);
				*o++ = (char)v;
			} else {
				*o++ = 'x';
			}
			break;
		default:
			if (is_octal(c)) {
				int v = c - '0';
				for (int k = 0; k < 2 && p < end && is_octal(*p); k++)
					v = v * 8 + (*p++ - '0');
				*o++ = (char)v;
			} else {
				*o++ = c;
			}
		}
	}
	out->len = (size_t)(o - out->data);
	out->data[out->len] = '\0';
}

/* bytea's escape output format ("\\" and "\ooo") into bytes. Returns 0 or -1. */
static int bytea_unescape(const char *p, size_t len, struct buf *out)
{
	buf_reset(out);
	buf_grow(out, len);
	for (size_t i = 0; i < len;) {
		if (p[i] != '\\') {
			buf_addc(out, p[i++]);
		} else if (i + 1 < len && p[i + 1] == '\\') {
			buf_addc(out, '\\');
			i += 2;
		} else if (i + 3 < len && is_octal(p[i + 1]) && is_octal(p[i + 2]) && is_octal(p[i + 3])) {
			buf_addc(out,
				 (char)((p[i + 1] - '0') * 64 + (p[i + 2] - '0') * 8 + (p[i + 3] - '0')));
			i += 4;
		} else {
			return -1;
		}
	}
	return 0;
}

static int json_number(const char *p, size_t len)
{
	size_t i = 0;
	if (i < len && p[i] == '-')
		i++;
	if (i < len && p[i] == '0')
		i++;
	else if (i < len && p[i] >= '1' && p[i] <= '9')
		while (i < len && p[i] >= '0' && p[i] <= '9')
			i++;
	else
		return 0;
	if (i < len && p[i] == '.') {
		size_t k = ++i;
		while (i < len && p[i] >= '0' && p[i] <= '9')
			i++;
		if (i == k)
			return 0;
	}
	if (i < len && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		if (i < len && (p[i] == '+' || p[i] == '-'))
			i++;
		size_t k = i;
		while (i < len && p[i] >= '0' && p[i] <= '9')
			i++;
		if (i == k)
			return 0;
	}
	return i == len;
}

/* One array element as array_to_json() prints it (ISO 8601 "T" and "+hh:mm" for timestamps). */
static void json_element(enum elem_class elem, struct buf *e, struct buf *out)
{
	switch (elem) {
	case ELEM_NUMBER:
		if (json_number(e->data, e->len)) {
			buf_add(out, e->data, e->len);
			return;
		}
		break;
	case ELEM_BOOL:
		if (e->len == 1 && (e->data[0] == 't' || e->data[0] == 'f')) {
			buf_adds(out, e->data[0] == 't' ? "true" : "false");
			return;
		}
		break;
	case ELEM_JSON:
		buf_add(out, e->data, e->len);
		return;
	case ELEM_TIMESTAMP:
	case ELEM_TIMESTAMPTZ: {
		char *sp = memchr(e->data, ' ', e->len);
		if (sp && sp - e->data >= 10 && e->len - (size_t)(sp - e->data) > 8 && sp[3] == ':') {
			*sp = 'T';
			size_t k = e->len;
			while (elem == ELEM_TIMESTAMPTZ && k > (size_t)(sp - e->data) &&
			       e->data[k - 1] != '+' && e->data[k - 1] != '-')
				k--;
			if (elem == ELEM_TIMESTAMPTZ && k > (size_t)(sp - e->data) &&
			    !memchr(e->data + k, ':', e->len - k))
				buf_add(e, ":00", 3);
		}
		break;
	}
	default:
		break;
	}
	buf_addc(out, '"');
	json_escape_append(out, e->data, e->len);
	buf_addc(out, '"');
}

static void skip_spaces(const char *p, size_t len, size_t *i)
{
	while (*i < len && (p[*i] == ' ' || p[*i] == '\t' || p[*i] == '\n' || p[*i] == '\r'))
		(*i)++;
}

/* One element at p[*i] (quoted or not) into `e`. Returns 1 for NULL, 0, or -1. */
static int array_element(const char *p, size_t len, size_t *i, struct buf *e)
{
	buf_reset(e);
	buf_grow(e, 16); /* data is never NULL, even for "" */
	if (p[*i] == '"') {
		for ((*i)++;; (*i)++) {
			if (*i >= len)
				return -1;
			if (p[*i] == '"')
				break;
			if (p[*i] == '\\' && ++*i >= len)
				return -1;
			buf_addc(e, p[*i]);
		}
		(*i)++;
		return 0;
	}
	int escaped = 0;
	size_t kept = 0; /* length without trailing unescaped blanks */
	for (; *i < len && p[*i] != ',' && p[*i] != '}'; (*i)++) {
		if (p[*i] == '{' || p[*i] == '"')
			return -1;
		if (p[*i] == '\\') {
			if (++*i >= len)
				return -1;
			escaped = 1;
			buf_addc(e, p[*i]);
			kept = e->len;
			continue;
		}
		buf_addc(e, p[*i]);
		if (p[*i] != ' ' && p[*i] != '\t' && p[*i] != '\n' && p[*i] != '\r')
			kept = e->len;
	}
	e->len = kept;
	if (e->data)
		e->data[kept] = '\0';
	if (kept == 0 && !escaped)
		return -1;
	return !escaped && kept == 4 && strncasecmp(e->data, "null", 4) == 0;
}

static int array_level(const char *p, size_t len, size_t *i, enum elem_class elem, struct buf *e,
		       struct buf *out, int depth)
{
	if (depth >= 6 || *i >= len || p[*i] != '{') /* PostgreSQL's MAXDIM */
		return -1;
	(*i)++;
	buf_addc(out, '[');
	skip_spaces(p, len, i);
	if (*i < len && p[*i] == '}') {
		(*i)++;
		buf_addc(out, ']');
		return 0;
	}
	for (int first = 1;; first = 0) {
		if (!first)
			buf_addc(out, ',');
		skip_spaces(p, len, i);
		if (*i >= len)
			return -1;
		if (p[*i] == '{') {
			if (array_level(p, len, i, elem, e, out, depth + 1) < 0)
				return -1;
		} else {
			int rc = array_element(p, len, i, e);
			if (rc < 0)
				return -1;
			if (rc == 1)
				buf_adds(out, "null");
			else
				json_element(elem, e, out);
		}
		skip_spaces(p, len, i);
		if (*i < len && p[*i] == ',') {
			(*i)++;
			continue;
		}
		if (*i < len && p[*i] == '}') {
			(*i)++;
			buf_addc(out, ']');
			return 0;
		}
		return -1;
	}
}

/* PostgreSQL's array text ("{1,2}", "[0:1]={a,b}") as array_to_json() prints it. Returns 0 or -1. */
static int array_to_json(const char *p, size_t len, enum elem_class elem, struct buf *e, struct buf *out)
{
	size_t i = 0;
	buf_reset(out);
	skip_spaces(p, len, &i);
	if (i < len && p[i] == '[') {
		const char *eq = memchr(p + i, '=', len - i);
		if (!eq)
			return -1;
		i = (size_t)(eq - p) + 1;
	}
	if (array_level(p, len, &i, elem, e, out, 0) < 0)
		return -1;
	skip_spaces(p, len, &i);
	return i == len ? 0 : -1;
}

/* A text value (a decoded COPY field or string literal) as the literal for column `c`.
 * Returns 0, or -1 with a message (no place) for a malformed array or bytea. */
static int convert_text(struct pg *pg, const struct pg_column *c, const char *p, size_t len,
			enum dump_lit *lit, const char **out, size_t *outlen)
{
	*lit = DUMP_LIT_STRING;
	*out = p;
	*outlen = len;
	if (!c)
		return 0;
	if (c->blob) {
		if (len >= 2 && p[0] == '\\' && p[1] == 'x') {
			*lit = DUMP_LIT_HEX;
			*out = p + 2;
			*outlen = len - 2;
			return 0;
		}
		if (bytea_unescape(p, len, &pg->conv) < 0)
			return amber_error_set(pg->err, "malformed bytea value");
	} else if (c->elem) {
		if (array_to_json(p, len, (enum elem_class)c->elem, &pg->elem, &pg->conv) < 0)
			return amber_error_set(pg->err, "malformed array value");
	} else {
		return 0;
	}
	*out = pg->conv.data ? pg->conv.data : "";
	*outlen = pg->conv.len;
	return 0;
}

/* --- DDL --- */

/* Counts a statement that is not translated (not inside a database that is not loaded). */
static int skip(struct pg *pg, const char *what)
{
	if (pg->ignoring || dump_skip(pg->d, what, pg->err) == 0)
		return 0;
	return tok_error(pg, 0, "%s", pg->err->message);
}

/* Words that end a column's type and start its constraints. */
static int column_word(const struct pg *pg, size_t i)
{
	static const char *const words[] = {"not",	   "null",    "default",    "primary",	 "unique",
					    "references",  "check",   "constraint", "collate",	 "generated",
					    "compression", "storage", "deferrable", "initially", NULL};
	for (const char *const *w = words; *w; w++)
		if (is(pg, i, *w))
			return 1;
	return 0;
}

/* A DEFAULT in [i, end) as an SQLite literal, when it is one (a number, a string with or
 * without a cast, true, false); NULL for expressions, which are dropped. */
static const char *default_literal(const struct pg *pg, size_t i, size_t end, enum dump_kind kind,
				   struct buf *out)
{
	buf_reset(out);
	size_t k = i;
	if (is_punct(pg, k, "-") && k + 1 < end && pg->toks[k + 1].type == SQLTOK_NUMBER) {
		buf_addc(out, '-');
		k++;
	}
	if (k >= end)
		return NULL;
	const struct ptok *t = &pg->toks[k];
	if (t->type == SQLTOK_NUMBER) {
		buf_adds(out, txt(pg, k));
	} else if (t->type == SQLTOK_STRING && !(kind == DUMP_BLOB)) {
		buf_addc(out, '\'');
		for (const char *c = txt(pg, k); *c; c++) {
			if (*c == '\'')
				buf_addc(out, '\'');
			buf_addc(out, *c);
		}
		buf_addc(out, '\'');
	} else if (is(pg, k, "true") || is(pg, k, "false")) {
		buf_adds(out, is(pg, k, "true") ? "1" : "0");
	} else {
		return NULL;
	}
	k++;
	if (k < end && !is_punct(pg, k, "::"))
		return NULL;
	return out->data;
}

/* FOREIGN KEY's "REFERENCES table [(cols)]" at *i, for `cols` of `t`. */
static int references(struct pg *pg, struct dump_table *t, size_t *i, const char *const *cols, size_t n)
{
	char ref[256];
	size_t at = *i;
	(*i)++;
	if (qualified_name(pg, i, ref, sizeof ref) < 0)
		return -1;
	const char **saved = NULL;
	size_t nref = 0;
	if (is_punct(pg, *i, "(")) {
		saved = malloc(n * sizeof *saved);
		if (!saved)
			abort();
		memcpy(saved, cols, n * sizeof *saved);
		if (name_list(pg, i) < 0) {
			free(saved);
			return -1;
		}
		nref = pg->nnames;
		cols = saved;
	}
	int rc = dump_foreign_key(pg->d, t, cols, n, ref, nref ? pg->names : NULL, nref, pg->err);
	free(saved);
	return rc < 0 ? tok_error(pg, at, "%s", pg->err->message) : 0;
}

/* A table constraint at *i (after CONSTRAINT name, if any): PRIMARY KEY, UNIQUE, FOREIGN KEY;
 * CHECK and EXCLUDE are not translated. */
static int table_constraint(struct pg *pg, struct dump_table *t, size_t i, const char *name)
{
	size_t at = i;
	int rc;
	if (is(pg, i, "primary") && is(pg, i + 1, "key")) {
		i += 2;
		if (name_list(pg, &i) < 0)
			return -1;
		rc = dump_primary_key(pg->d, t, pg->names, pg->nnames, pg->err);
	} else if (is(pg, i, "unique")) {
		for (i++; i < pg->ntoks && !is_punct(pg, i, "("); i++)
			; /* NULLS [NOT] DISTINCT */
		if (name_list(pg, &i) < 0)
			return -1;
		rc = dump_index_add(pg->d, t, name, pg->names, pg->nnames, 1, pg->err);
	} else if (is(pg, i, "foreign") && is(pg, i + 1, "key")) {
		i += 2;
		if (name_list(pg, &i) < 0)
			return -1;
		if (!is(pg, i, "references"))
			return tok_error(pg, i, "expected REFERENCES");
		return references(pg, t, &i, pg->names, pg->nnames);
	} else if (is(pg, i, "check")) {
		return skip(pg, "CHECK constraint");
	} else if (is(pg, i, "exclude")) {
		return skip(pg, "EXCLUDE constraint");
	} else {
		return tok_error(pg, i, "unsupported table constraint");
	}
	return rc < 0 ? tok_error(pg, at, "%s", pg->err->message) : 0;
}

/* What the constraints of a column say. */
struct column_constraints {
	unsigned flags;
	int pk, unique, generated;
	size_t ref; /* the REFERENCES token, or 0 */
	const char *def;
};

/* Reads the constraints of a column in [k, end); a literal DEFAULT goes into `def_sql`. */
static void column_constraints(const struct pg *pg, size_t k, size_t end, enum dump_kind kind,
			       struct column_constraints *cc, struct buf *def_sql)
{
	memset(cc, 0, sizeof *cc);
	while (k < end) {
		if (is(pg, k, "not") && is(pg, k + 1, "null")) {
			cc->flags |= DUMP_COL_NOT_NULL;
			k += 2;
		} else if (is(pg, k, "default")) {
			size_t e = k + 1 < end && is(pg, k + 1, "null") ? k + 2 : k + 1;
			while (e < end && !column_word(pg, e))
				e = is_punct(pg, e, "(") ? skip_group(pg, e) : e + 1;
			cc->def = default_literal(pg, k + 1, e, kind, def_sql);
			k = e;
		} else if (is(pg, k, "primary") && is(pg, k + 1, "key")) {
			cc->pk = 1;
			k += 2;
		} else if (is(pg, k, "unique")) {
			cc->unique = 1;
			k++;
		} else if (is(pg, k, "references")) {
			cc->ref = k++;
		} else if (is(pg, k, "generated") && is(pg, k + 1, "always") && is(pg, k + 2, "as") &&
			   is_punct(pg, k + 3, "(")) {
			cc->generated = 1;
			k += 3;
		} else {
			k = is_punct(pg, k, "(") ? skip_group(pg, k) : k + 1;
		}
	}
}

/* One column definition in [i, end) of CREATE TABLE. */
static int column_def(struct pg *pg, struct dump_table *t, struct pg_table *info, size_t i, size_t end)
{
	if (!is_name(pg, i))
		return tok_error(pg, i, "expected a column name");
	const char *name = txt(pg, i);
	size_t type_end = i + 1;
	while (type_end < end && !column_word(pg, type_end))
		type_end = is_punct(pg, type_end, "(") ? skip_group(pg, type_end) : type_end + 1;
	if (type_end == i + 1)
		return tok_error(pg, i, "column \"%s\" has no type", name);
	enum dump_kind kind;
	struct pg_column c;
	column_type(pg, i + 1, type_end, &kind, &c);
	struct column_constraints cc;
	struct buf def_sql = BUF_INIT;
	column_constraints(pg, type_end, end, kind, &cc, &def_sql);
	int rc = dump_column_add(t, name, kind, cc.flags, cc.def, pg->err);
	buf_free(&def_sql);
	if (rc < 0)
		return tok_error(pg, i, "%s", pg->err->message);
	table_info_column(info, c);
	if (cc.generated && pg->pass != DUMP_PASS_SCHEMA)
		dump_warn(pg->d, "generated column %s.%s is not computed: its values are NULL",
			  dump_table_name(t), name);
	const char *cols[1] = {name};
	if (cc.pk && dump_primary_key(pg->d, t, cols, 1, pg->err) < 0)
		return tok_error(pg, i, "%s", pg->err->message);
	if (cc.unique && dump_index_add(pg->d, t, NULL, cols, 1, 1, pg->err) < 0)
		return tok_error(pg, i, "%s", pg->err->message);
	if (cc.ref && references(pg, t, &cc.ref, cols, 1) < 0)
		return -1;
	return 0;
}

/* CREATE TABLE; i is after TABLE. */
static int create_table(struct pg *pg, size_t i)
{
	char name[256];
	if (is(pg, i, "if") && is(pg, i + 1, "not") && is(pg, i + 2, "exists"))
		i += 3;
	size_t at = i;
	if (qualified_name(pg, &i, name, sizeof name) < 0)
		return -1;
	if (!is_punct(pg, i, "("))
		return skip(pg, is(pg, i, "partition") ? "partition" : "typed table");
	if (pg->ignoring)
		return 0;
	struct dump_table *t = dump_table_create(pg->d, name, pg->err);
	if (!t)
		return tok_error(pg, at, "%s", pg->err->message);
	struct pg_table *info = table_info_new(name, t);
	for (i++; !is_punct(pg, i, ")");) {
		size_t end = element_end(pg, i);
		if (end >= pg->ntoks || pg->toks[end].type == SQLTOK_END)
			return tok_error(pg, end, "expected \")\" closing CREATE TABLE");
		int rc;
		if (is(pg, i, "constraint") && is_name(pg, i + 1))
			rc = table_constraint(pg, t, i + 2, txt(pg, i + 1));
		else if (is(pg, i, "primary") || is(pg, i, "unique") || is(pg, i, "foreign") ||
			 is(pg, i, "check") || is(pg, i, "exclude"))
			rc = table_constraint(pg, t, i, NULL);
		else if (is(pg, i, "like"))
			rc = tok_error(pg, i, "CREATE TABLE … LIKE is not supported");
		else
			rc = column_def(pg, t, info, i, end);
		if (rc < 0)
			return -1;
		i = is_punct(pg, end, ",") ? end + 1 : end;
	}
	/* A child's inherited columns are not listed, yet its COPY names them. */
	if (is(pg, i + 1, "inherits"))
		return tok_error(pg, i + 1, "CREATE TABLE … INHERITS is not supported");
	return 0;
}

/* Whether index element [i, end) is a plain column, perhaps with a collation, an operator
 * class or an ordering. */
static int plain_index_column(const struct pg *pg, size_t i, size_t end)
{
	if (!is_name(pg, i))
		return 0;
	for (size_t k = i + 1; k < end; k++)
		if (!is_name(pg, k) && !is_punct(pg, k, "."))
			return 0;
	return 1;
}

/* The columns of an index from i (after its "(") into pg->names. Returns 0 when one is an
 * expression or the index is partial (WHERE). */
static int index_columns(struct pg *pg, size_t i)
{
	pg->nnames = 0;
	for (;;) {
		size_t end = element_end(pg, i);
		if (!plain_index_column(pg, i, end))
			return 0;
		name_push(pg, txt(pg, i));
		i = end + 1;
		if (!is_punct(pg, end, ","))
			break;
	}
	for (; i < pg->ntoks; i++)
		if (is(pg, i, "where"))
			return 0;
	return 1;
}

/* CREATE [UNIQUE] INDEX; i is after INDEX. Expression, partial and non-btree indexes are
 * skipped with a warning. */
static int create_index(struct pg *pg, size_t i, int unique)
{
	char table[256];
	const char *name = NULL;
	if (is(pg, i, "concurrently"))
		i++;
	if (is(pg, i, "if") && is(pg, i + 1, "not") && is(pg, i + 2, "exists"))
		i += 3;
	if (!is(pg, i, "on"))
		name = txt(pg, i++);
	if (!is(pg, i, "on"))
		return tok_error(pg, i, "expected ON in CREATE INDEX");
	i++;
	if (is(pg, i, "only"))
		i++;
	size_t at = i;
	if (qualified_name(pg, &i, table, sizeof table) < 0)
		return -1;
	const char *method = "btree";
	if (is(pg, i, "using"))
		method = txt(pg, i + 1), i += 2;
	if (!is_punct(pg, i, "("))
		return tok_error(pg, i, "expected \"(\" in CREATE INDEX");
	if (pg->ignoring)
		return 0;
	struct dump_table *t = dump_table_find(pg->d, table);
	if (!t)
		return tok_error(pg, at, "CREATE INDEX on an unknown table %s", table);
	if (strcmp(method, "btree") != 0 || !index_columns(pg, i + 1)) {
		if (pg->pass != DUMP_PASS_SCHEMA)
			dump_warn(pg->d,
				  "index %s on table %s is not a plain btree index on columns: skipped",
				  name ? name : "(unnamed)", table);
		return 0;
	}
	if (dump_index_add(pg->d, t, name, pg->names, pg->nnames, unique, pg->err) < 0)
		return tok_error(pg, at, "%s", pg->err->message);
	return 0;
}

/* ALTER TABLE; i is after TABLE. */
static int alter_table(struct pg *pg, size_t i)
{
	char name[256];
	if (is(pg, i, "if") && is(pg, i + 1, "exists"))
		i += 2;
	if (is(pg, i, "only"))
		i++;
	size_t at = i;
	if (qualified_name(pg, &i, name, sizeof name) < 0)
		return -1;
	/* No meaning in a read-only copy: ownership, defaults (sequences are not kept), identity,
	 * clustering, replica identity, trigger switches, storage parameters; DROPs of pg_dump
	 * --clean find nothing to drop. */
	if (is(pg, i, "owner") || is(pg, i, "alter") || is(pg, i, "drop") || is(pg, i, "cluster") ||
	    is(pg, i, "replica") ||
	    ((is(pg, i, "enable") || is(pg, i, "disable")) && !is(pg, i + 1, "row")) || is(pg, i, "set"))
		return 0;
	if (is(pg, i, "enable") || is(pg, i, "force") || is(pg, i, "disable"))
		return skip(pg, "row level security");
	if (is(pg, i, "attach"))
		return skip(pg, "partition");
	if (!is(pg, i, "add"))
		return skip(pg, "ALTER TABLE");
	i++;
	const char *cname = NULL;
	if (is(pg, i, "constraint") && is_name(pg, i + 1)) {
		cname = txt(pg, i + 1);
		i += 2;
	}
	if (!is(pg, i, "primary") && !is(pg, i, "unique") && !is(pg, i, "foreign") && !is(pg, i, "check") &&
	    !is(pg, i, "exclude"))
		return skip(pg, "ALTER TABLE");
	if (pg->ignoring)
		return 0;
	struct dump_table *t = dump_table_find(pg->d, name);
	if (!t)
		return tok_error(pg, at, "ALTER TABLE of an unknown table %s", name);
	return table_constraint(pg, t, i, cname);
}

/* DROP TABLE (pg_dump --clean); other DROPs concern nothing that is kept. */
static int drop(struct pg *pg)
{
	size_t i = 2;
	char name[256];
	if (!is(pg, 1, "table") || pg->ignoring)
		return 0;
	if (is(pg, i, "if") && is(pg, i + 1, "exists"))
		i += 2;
	size_t at = i;
	if (qualified_name(pg, &i, name, sizeof name) < 0)
		return -1;
	if (dump_table_drop(pg->d, name, pg->err) < 0)
		return tok_error(pg, at, "%s", pg->err->message);
	return 0;
}

/* What CREATE <word> makes that is not translated, by the word. */
static const char *const skipped_objects[][2] = {
    {"sequence", "sequence"},
    {"function", "function"},
    {"procedure", "procedure"},
    {"aggregate", "aggregate"},
    {"trigger", "trigger"},
    {"event", "event trigger"},
    {"type", "type"},
    {"domain", "domain"},
    {"extension", "extension"},
    {"role", "role"},
    {"user", "role"},
    {"group", "role"},
    {"database", "database"},
    {"view", "view"},
    {"materialized", "materialized view"},
    {"policy", "policy"},
    {"publication", "publication"},
    {"subscription", "subscription"},
    {"rule", "rule"},
    {"operator", "operator"},
    {"cast", "cast"},
    {"collation", "collation"},
    {"text", "text search object"},
    {"foreign", "foreign table"},
    {"server", "foreign server"},
    {"statistics", "statistics object"},
    {"language", "language"},
    {"tablespace", "tablespace"},
    {"access", "access method"},
    {"conversion", "conversion"},
    {"transform", "transform"},
};

static int create(struct pg *pg)
{
	size_t i = 1;
	int unique = 0;
	if (is(pg, i, "or") && is(pg, i + 1, "replace"))
		i += 2;
	for (;; i++) {
		if (is(pg, i, "unique"))
			unique = 1;
		else if (!is(pg, i, "unlogged") && !is(pg, i, "temporary") && !is(pg, i, "temp") &&
			 !is(pg, i, "global") && !is(pg, i, "local") && !is(pg, i, "trusted") &&
			 !is(pg, i, "procedural") && !is(pg, i, "default") && !is(pg, i, "constraint") &&
			 !is(pg, i, "recursive"))
			break;
	}
	if (is(pg, i, "table"))
		return create_table(pg, i + 1);
	if (is(pg, i, "index"))
		return create_index(pg, i + 1, unique);
	if (is(pg, i, "schema"))
		return 0;
	for (size_t k = 0; k < sizeof skipped_objects / sizeof skipped_objects[0]; k++)
		if (is(pg, i, skipped_objects[k][0]))
			return skip(pg, skipped_objects[k][1]);
	return tok_error(pg, i, "unsupported CREATE statement");
}

static int alter(struct pg *pg)
{
	if (is(pg, 1, "table"))
		return alter_table(pg, 2);
	if (is(pg, 1, "role") || is(pg, 1, "user") || is(pg, 1, "group"))
		return skip(pg, "role");
	if (is(pg, 1, "database"))
		return skip(pg, "database setting");
	if (is(pg, 1, "default") && is(pg, 2, "privileges"))
		return skip(pg, "GRANT");
	/* Sequences are not kept; owners mean nothing in a read-only copy. */
	if (is(pg, 1, "sequence"))
		return 0;
	for (size_t k = 2; k + 1 < pg->ntoks; k++)
		if (is(pg, k, "owner") && is(pg, k + 1, "to"))
			return 0;
	char what[64];
	snprintf(what, sizeof what, "ALTER %s", txt(pg, 1));
	for (char *c = what; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 32);
	return skip(pg, what);
}

/* SELECT: pg_dump's set_config and setval calls, large objects. */
static int select_call(struct pg *pg)
{
	size_t i = 1;
	if (is(pg, i, "pg_catalog") && is_punct(pg, i + 1, "."))
		i += 2;
	if (is(pg, i, "set_config"))
		return 0;
	if (is(pg, i, "setval"))
		return skip(pg, "sequence value");
	if (is(pg, i, "lo_create"))
		return skip(pg, "large object");
	if (strncmp(txt(pg, i), "lo_", 3) == 0 || is(pg, i, "lowrite"))
		return 0; /* the rest of a large object counted at lo_create */
	return tok_error(pg, 0, "unsupported SELECT statement");
}

/* --- rows --- */

/* The extra conversion of each value of an insert into `t` (NULL when none): one per value,
 * following the column list. Returns a malloc'd array or NULL when no column needs one. */
static const struct pg_column **value_columns(struct pg *pg, struct dump_table *t, const char *table,
					      size_t width)
{
	const struct pg_table *info = table_info(pg, table);
	if (!info)
		return NULL;
	const struct pg_column **cols = calloc(width ? width : 1, sizeof *cols);
	if (!cols)
		abort();
	int any = 0;
	for (size_t i = 0; i < width; i++) {
		long c = pg->nnames ? dump_column_find(t, pg->names[i]) : (long)i;
		if (c >= 0 && (size_t)c < info->ncols && (info->cols[c].blob || info->cols[c].elem)) {
			cols[i] = &info->cols[c];
			any = 1;
		}
	}
	if (!any) {
		free(cols);
		return NULL;
	}
	return cols;
}

/* The line that ends a COPY block's statement must hold nothing else. */
static int copy_statement_tail(struct pg *pg)
{
	const char *line;
	size_t len;
	int rc = sqlread_line(&pg->r, &line, &len, pg->err);
	if (rc < 0)
		return -1;
	for (size_t i = 0; rc && i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			return sqlread_error(&pg->r, line + i, pg->err,
					     "unexpected text after COPY … FROM stdin;");
	return 0;
}

/* The next line of a COPY block; 0 at its "\." end. */
static int copy_line(struct pg *pg, const char *table, long start, const char **line, size_t *len)
{
	int rc = sqlread_line(&pg->r, line, len, pg->err);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return sqlread_error(&pg->r, NULL, pg->err,
				     "truncated dump: the input ends inside COPY %s (started at line %ld)",
				     table, start);
	if (*len && (*line)[*len - 1] == '\r')
		(*len)--;
	return !(*len == 2 && (*line)[0] == '\\' && (*line)[1] == '.');
}

/* One COPY field into value i of `ins`. */
static int copy_field(struct pg *pg, struct dump_insert *ins, size_t i, const struct pg_column *c,
		      const char *p, size_t len, int escapes)
{
	enum dump_lit lit = DUMP_LIT_STRING;
	const char *v = p;
	size_t n = len;
	if (escapes) {
		if (len == 2 && p[0] == '\\' && p[1] == 'N')
			lit = DUMP_LIT_NULL;
		else if (memchr(p, '\\', len)) {
			copy_unescape(p, len, &pg->field);
			v = pg->field.data;
			n = pg->field.len;
		}
	}
	if (c && lit != DUMP_LIT_NULL && convert_text(pg, c, v, n, &lit, &v, &n) < 0)
		return sqlread_error(&pg->r, p, pg->err, "%s", pg->err->message);
	if (dump_insert_value(ins, i, lit, v, n, pg->err) < 0)
		return sqlread_error(&pg->r, p, pg->err, "%s", pg->err->message);
	return 0;
}

/* One COPY data line: `width` fields split on tabs. */
static int copy_row(struct pg *pg, struct dump_insert *ins, const struct pg_column **cols, size_t width,
		    const char *line, size_t len)
{
	const char *p = line, *end = line + len;
	int escapes = memchr(line, '\\', len) != NULL;
	for (size_t i = 0; i < width; i++) {
		const char *tab = memchr(p, '\t', (size_t)(end - p));
		if (i + 1 < width && !tab)
			return sqlread_error(&pg->r, end, pg->err, "COPY row has %zu fields, expected %zu",
					     i + 1, width);
		if (i + 1 == width && tab)
			return sqlread_error(&pg->r, tab, pg->err, "COPY row has more than %zu fields",
					     width);
		const char *fe = tab ? tab : end;
		if (copy_field(pg, ins, i, cols ? cols[i] : NULL, p, (size_t)(fe - p), escapes) < 0)
			return -1;
		p = fe + 1;
	}
	if (dump_insert_row(ins, pg->err) < 0)
		return sqlread_error(&pg->r, line, pg->err, "%s", pg->err->message);
	dump_progress(pg->d, sqlread_raw_bytes(&pg->r));
	return 0;
}

/* COPY t [(cols)] FROM stdin; and its data lines. */
static int copy(struct pg *pg)
{
	char table[256];
	size_t i = 1;
	if (qualified_name(pg, &i, table, sizeof table) < 0)
		return -1;
	pg->nnames = 0;
	if (is_punct(pg, i, "(") && name_list(pg, &i) < 0)
		return -1;
	if (!is(pg, i, "from") || !is(pg, i + 1, "stdin") || pg->toks[i + 2].type != SQLTOK_END)
		return tok_error(pg, i, "only COPY … FROM stdin; is supported");
	long start = pg->toks[0].line;
	if (copy_statement_tail(pg) < 0)
		return -1;
	const char *line;
	size_t len;
	int rc;
	if (pg->pass == DUMP_PASS_SCHEMA || pg->ignoring) {
		while ((rc = copy_line(pg, table, start, &line, &len)) > 0)
			;
		return rc;
	}
	struct dump_table *t = dump_table_find(pg->d, table);
	if (!t)
		return tok_error(pg, 1, "COPY into table %s, which no CREATE TABLE defined", table);
	struct dump_insert *ins = dump_insert_prepare(pg->d, t, pg->nnames ? pg->names : NULL, pg->nnames,
						      DUMP_CONFLICT_ERROR, pg->err);
	if (!ins)
		return tok_error(pg, 1, "%s", pg->err->message);
	size_t width = dump_insert_width(ins);
	const struct pg_column **cols = value_columns(pg, t, table, width);
	while ((rc = copy_line(pg, table, start, &line, &len)) > 0)
		if (copy_row(pg, ins, cols, width, line, len) < 0) {
			rc = -1;
			break;
		}
	free(cols);
	return rc;
}

/* The INSERT being streamed. */
struct insert_ctx {
	struct dump_table *t;
	const struct pg_column **cols;
	size_t width;
	long line, col; /* of the row's "(" */
};

static void place_of_token(struct pg *pg, long *line, long *col)
{
	sqlread_place(&pg->r, pg->tok.start, line, col);
}

static void value_push(struct pg *pg, enum dump_lit lit, const char *p, size_t len, long line, long col)
{
	if (pg->nvals == pg->capvals) {
		pg->capvals = pg->capvals ? 2 * pg->capvals : 32;
		pg->vals = realloc(pg->vals, pg->capvals * sizeof *pg->vals);
		if (!pg->vals)
			abort();
	}
	pg->vals[pg->nvals++] = (struct pval){lit, pg->row.len, len, line, col};
	buf_add(&pg->row, p, len);
}

/* Whether a token can be part of a type name after "::": character varying(10)[],
 * public.mood, numeric(10,2). */
static int type_token(const struct sqltok *tok, int in_parens)
{
	return tok->type == SQLTOK_WORD || tok->type == SQLTOK_IDENT || tok->type == SQLTOK_NUMBER ||
	       sqltok_punct(tok, ".") || sqltok_punct(tok, "[") || sqltok_punct(tok, "]") ||
	       (in_parens && sqltok_punct(tok, ","));
}

/* Skips "::type" casts after a value; leaves pg->tok at the token after them. */
static int skip_cast(struct pg *pg)
{
	while (sqltok_punct(&pg->tok, "::")) {
		int depth = 0;
		for (;;) {
			if (next(pg) < 0)
				return -1;
			if (sqltok_punct(&pg->tok, "("))
				depth++;
			else if (depth && sqltok_punct(&pg->tok, ")"))
				depth--;
			else if (!type_token(&pg->tok, depth > 0))
				break;
		}
	}
	return 0;
}

/* B'0101' or X'1F' as PostgreSQL's bit string text ("0101", "00011111"). */
static int bit_string(const struct sqltok *tok, struct buf *out)
{
	buf_reset(out);
	for (size_t i = 0; i < tok->len; i++) {
		if (tok->type == SQLTOK_BITS) {
			if (tok->text[i] != '0' && tok->text[i] != '1')
				return -1;
			buf_addc(out, tok->text[i]);
			continue;
		}
		int v = hex_digit(tok->text[i]);
		if (v < 0)
			return -1;
		for (int b = 3; b >= 0; b--)
			buf_addc(out, (char)('0' + ((v >> b) & 1)));
	}
	return 0;
}

/* One value of an INSERT row, starting at pg->tok; leaves pg->tok after it. */
static int insert_value(struct pg *pg, const struct pg_column *c)
{
	long line, col;
	place_of_token(pg, &line, &col);
	struct sqltok *tok = &pg->tok;
	if (sqltok_is(tok, "null")) {
		value_push(pg, DUMP_LIT_NULL, "", 0, line, col);
	} else if (sqltok_is(tok, "true") || sqltok_is(tok, "false")) {
		value_push(pg, DUMP_LIT_BOOL, sqltok_is(tok, "true") ? "1" : "0", 1, line, col);
	} else if (tok->type == SQLTOK_NUMBER || sqltok_punct(tok, "-") || sqltok_punct(tok, "+")) {
		char sign = tok->text[0];
		if (tok->type != SQLTOK_NUMBER && next(pg) < 0)
			return -1;
		if (tok->type != SQLTOK_NUMBER)
			return sqlread_error(&pg->r, tok->start, pg->err, "expected a number after \"%c\"",
					     sign);
		size_t off = pg->row.len;
		if (sign == '-')
			buf_addc(&pg->row, '-');
		buf_add(&pg->row, tok->text, tok->len);
		value_push(pg, DUMP_LIT_NUMBER, "", 0, line, col);
		pg->vals[pg->nvals - 1].off = off;
		pg->vals[pg->nvals - 1].len = pg->row.len - off;
	} else if (tok->type == SQLTOK_HEX || tok->type == SQLTOK_BITS) {
		if (bit_string(tok, &pg->field) < 0)
			return sqlread_error(&pg->r, tok->start, pg->err, "invalid bit string");
		value_push(pg, DUMP_LIT_STRING, pg->field.data ? pg->field.data : "", pg->field.len, line,
			   col);
	} else if (sqltok_is(tok, "default")) {
		/* pg_dump --inserts writes DEFAULT only for generated columns, whose values
		 * amber does not compute (see column_def) */
		value_push(pg, DUMP_LIT_NULL, "", 0, line, col);
	} else if (tok->type == SQLTOK_STRING) {
		const char *p = tok->text;
		size_t n = tok->len;
		if (tok->flags & SQLTOK_ESCAPED) {
			buf_reset(&pg->field);
			if (sqltok_decode(SQL_POSTGRES, tok, &pg->field) < 0)
				return sqlread_error(&pg->r, tok->start, pg->err,
						     "invalid escape in a string");
			p = pg->field.data ? pg->field.data : "";
			n = pg->field.len;
		}
		enum dump_lit lit;
		if (convert_text(pg, c, p, n, &lit, &p, &n) < 0)
			return sqlread_error(&pg->r, tok->start, pg->err, "%s", pg->err->message);
		value_push(pg, lit, p, n, line, col);
	} else {
		return sqlread_error(&pg->r, tok->start, pg->err, "unsupported value in INSERT: \"%.40s\"",
				     tok->start);
	}
	if (next(pg) < 0)
		return -1;
	return skip_cast(pg);
}

/* Inserts the row read into pg->vals. */
static int insert_flush(struct pg *pg, const struct insert_ctx *x, enum dump_conflict conflict)
{
	struct dump_insert *ins =
	    dump_insert_prepare(pg->d, x->t, pg->nnames ? pg->names : NULL, pg->nnames, conflict, pg->err);
	if (!ins)
		return place_error(pg, x->line, x->col);
	for (size_t i = 0; i < pg->nvals; i++) {
		const struct pval *v = &pg->vals[i];
		if (dump_insert_value(ins, i, v->lit, pg->row.data + v->off, v->len, pg->err) < 0)
			return place_error(pg, v->line, v->col);
	}
	if (dump_insert_row(ins, pg->err) < 0)
		return place_error(pg, x->line, x->col);
	dump_progress(pg->d, sqlread_raw_bytes(&pg->r));
	return 0;
}

/* An error at the current token of an INSERT: truncation when the input ended there. */
static int insert_error(struct pg *pg, const char *expected)
{
	if (pg->tok.type == SQLTOK_EOF)
		return sqlread_error(&pg->r, NULL, pg->err,
				     "truncated dump: the input ends inside an INSERT");
	return sqlread_error(&pg->r, pg->tok.start, pg->err, "%s, found \"%.40s\"", expected, pg->tok.start);
}

/* One "( values )" of an INSERT; pg->tok is at its "(". */
static int insert_row(struct pg *pg, struct insert_ctx *x)
{
	if (!sqltok_punct(&pg->tok, "("))
		return insert_error(pg, "expected \"(\" starting a row of values");
	place_of_token(pg, &x->line, &x->col);
	pg->nvals = 0;
	buf_reset(&pg->row);
	if (next(pg) < 0)
		return -1;
	for (;;) {
		if (pg->nvals == x->width)
			return sqlread_error(&pg->r, pg->tok.start, pg->err,
					     "a row with more than %zu values", x->width);
		if (pg->tok.type == SQLTOK_EOF)
			return sqlread_error(&pg->r, NULL, pg->err,
					     "truncated dump: the input ends inside an INSERT");
		if (insert_value(pg, x->cols ? x->cols[pg->nvals] : NULL) < 0)
			return -1;
		if (sqltok_punct(&pg->tok, ")"))
			break;
		if (!sqltok_punct(&pg->tok, ","))
			return insert_error(pg, "expected \",\" or \")\" after a value");
		if (next(pg) < 0)
			return -1;
	}
	if (pg->nvals != x->width)
		return sqlread_error(&pg->r, pg->tok.start, pg->err, "a row with %zu values, expected %zu",
				     pg->nvals, x->width);
	return next(pg);
}

/* ON CONFLICT DO NOTHING at the end of an INSERT. */
static int on_conflict(struct pg *pg, enum dump_conflict *conflict)
{
	static const char *const words[] = {"on", "conflict", "do", "nothing"};
	for (size_t k = 0; k < 4; k++) {
		if (!sqltok_is(&pg->tok, words[k]))
			return insert_error(pg,
					    "only ON CONFLICT DO NOTHING is supported after INSERT values");
		if (next(pg) < 0)
			return -1;
	}
	*conflict = DUMP_CONFLICT_IGNORE;
	return 0;
}

/* Reads the rest of an INSERT whose values are not loaded. */
static int insert_discard(struct pg *pg)
{
	while (pg->tok.type != SQLTOK_END) {
		if (pg->tok.type == SQLTOK_EOF)
			return sqlread_error(&pg->r, NULL, pg->err,
					     "truncated dump: the input ends inside an INSERT");
		if (next(pg) < 0)
			return -1;
	}
	return 0;
}

/* The rows of an INSERT, streamed; pg->tok is at the first "(" after VALUES. Each row is
 * inserted when the next one starts or the statement ends, so a final ON CONFLICT DO NOTHING
 * (pg_dump writes one row per INSERT with it) applies to it. */
static int insert_rows(struct pg *pg, struct insert_ctx *x)
{
	for (;;) {
		if (insert_row(pg, x) < 0)
			return -1;
		enum dump_conflict conflict = DUMP_CONFLICT_ERROR;
		if (sqltok_is(&pg->tok, "on") && on_conflict(pg, &conflict) < 0)
			return -1;
		if (pg->tok.type == SQLTOK_END)
			return insert_flush(pg, x, conflict);
		if (!sqltok_punct(&pg->tok, ",") || conflict != DUMP_CONFLICT_ERROR)
			return insert_error(pg, "expected \",\" or \";\" after a row");
		if (insert_flush(pg, x, conflict) < 0 || next(pg) < 0)
			return -1;
	}
}

/* INSERT INTO t [(cols)] [OVERRIDING … VALUE] VALUES (…)[, (…)] [ON CONFLICT DO NOTHING]; the
 * head is read whole, the rows streamed. */
static int insert(struct pg *pg)
{
	pg->ntoks = 0;
	buf_reset(&pg->text);
	while (!sqltok_is(&pg->tok, "values")) {
		if (pg->tok.type == SQLTOK_END || pg->tok.type == SQLTOK_EOF || pg->tok.type == SQLTOK_META ||
		    pg->ntoks > 100000)
			return insert_error(pg, "only INSERT … VALUES is supported");
		if (keep_token(pg) < 0 || next(pg) < 0)
			return -1;
	}
	char table[256];
	size_t i = 1;
	if (!is(pg, i, "into"))
		return tok_error(pg, i, "expected INTO");
	i++;
	if (qualified_name(pg, &i, table, sizeof table) < 0)
		return -1;
	pg->nnames = 0;
	if (is_punct(pg, i, "(") && name_list(pg, &i) < 0)
		return -1;
	if (next(pg) < 0)
		return -1;
	if (pg->pass == DUMP_PASS_SCHEMA || pg->ignoring)
		return insert_discard(pg);
	struct insert_ctx x = {0};
	x.t = dump_table_find(pg->d, table);
	if (!x.t)
		return tok_error(pg, 1, "INSERT into table %s, which no CREATE TABLE defined", table);
	x.width = pg->nnames ? pg->nnames : dump_table_ncolumns(x.t);
	x.cols = value_columns(pg, x.t, table, x.width);
	int rc = insert_rows(pg, &x);
	free(x.cols);
	return rc;
}

/* --- psql commands --- */

/* The database named by "\connect [-options] name" or "\connect … "dbname='name'"". */
static int connect_target(const char *p, size_t len, char *out, size_t cap)
{
	size_t i = 0;
	for (;;) {
		while (i < len && (p[i] == ' ' || p[i] == '\t'))
			i++;
		if (i == len)
			return -1;
		size_t n = 0;
		if (p[i] == '"') {
			for (i++; i < len; i++) {
				if (p[i] == '"' && !(i + 1 < len && p[i + 1] == '"'))
					break;
				if (p[i] == '"')
					i++;
				if (n + 1 < cap)
					out[n++] = p[i];
			}
			i++;
		} else {
			for (; i < len && p[i] != ' ' && p[i] != '\t'; i++)
				if (n + 1 < cap)
					out[n++] = p[i];
		}
		out[n] = '\0';
		if (out[0] != '-')
			break;
	}
	if (strncmp(out, "dbname=", 7) == 0) {
		/* a connection string: dbname='it''s' or with backslash escapes */
		const char *v = out + 7;
		char val[256];
		size_t n = 0;
		if (*v == '\'') {
			for (v++; *v && *v != '\''; v++) {
				if (*v == '\\' && v[1])
					v++;
				if (n + 1 < sizeof val)
					val[n++] = *v;
			}
		} else {
			for (; *v && *v != ' '; v++)
				if (n + 1 < sizeof val)
					val[n++] = *v;
		}
		val[n] = '\0';
		snprintf(out, cap, "%s", val);
	}
	return 0;
}

static int meta(struct pg *pg)
{
	const char *p = pg->tok.text;
	size_t len = pg->tok.len, cmd = 1;
	while (cmd < len && p[cmd] != ' ' && p[cmd] != '\t')
		cmd++;
	if ((cmd == 8 && strncmp(p, "\\connect", 8) == 0) || (cmd == 2 && strncmp(p, "\\c", 2) == 0)) {
		if (connect_target(p + cmd, len - cmd, pg->db, sizeof pg->db) < 0)
			return sqlread_error(&pg->r, p, pg->err, "\\connect without a database name");
		pg->ignoring = pg->want_db && strcmp(pg->db, pg->want_db) != 0;
		pg->saw_want_db |= pg->want_db && !pg->ignoring;
		return 0;
	}
	if ((cmd == 9 && strncmp(p, "\\restrict", 9) == 0) ||
	    (cmd == 11 && strncmp(p, "\\unrestrict", 11) == 0) ||
	    (cmd == 9 && strncmp(p, "\\encoding", 9) == 0))
		return 0;
	return sqlread_error(&pg->r, p, pg->err, "unsupported psql command \"%.*s\"",
			     (int)(cmd < 40 ? cmd : 40), p);
}

/* --- statements --- */

static int statement(struct pg *pg)
{
	dump_at(pg->d, pg->toks[0].line, pg->toks[0].col);
	if (is(pg, 0, "set") || is(pg, 0, "reset") || is(pg, 0, "begin") || is(pg, 0, "commit") ||
	    is(pg, 0, "start") || is(pg, 0, "end"))
		return 0;
	if (is(pg, 0, "select"))
		return select_call(pg);
	if (is(pg, 0, "create"))
		return create(pg);
	if (is(pg, 0, "alter"))
		return alter(pg);
	if (is(pg, 0, "copy"))
		return copy(pg);
	if (is(pg, 0, "drop"))
		return drop(pg);
	if (is(pg, 0, "grant"))
		return skip(pg, "GRANT");
	if (is(pg, 0, "revoke"))
		return skip(pg, "REVOKE");
	if (is(pg, 0, "comment"))
		return skip(pg, "comment");
	if (is(pg, 0, "security"))
		return skip(pg, "security label");
	if (is(pg, 0, "refresh"))
		return skip(pg, "materialized view refresh");
	return tok_error(pg, 0, "unsupported statement");
}

static int run(struct pg *pg)
{
	for (;;) {
		if (next(pg) < 0)
			return -1;
		switch (pg->tok.type) {
		case SQLTOK_EOF:
			return 0;
		case SQLTOK_END:
			continue;
		case SQLTOK_META:
			if (meta(pg) < 0)
				return -1;
			continue;
		case SQLTOK_WORD:
			if (sqltok_is(&pg->tok, "insert")) {
				if (insert(pg) < 0)
					return -1;
				continue;
			}
			if (read_statement(pg) < 0 || statement(pg) < 0)
				return -1;
			/* COPY data ends at a line start, where a psql command may follow. */
			pg->r.st.line_start = is(pg, 0, "copy") ? 1 : pg->r.st.line_start;
			continue;
		default:
			return sqlread_error(&pg->r, pg->tok.start, pg->err,
					     "unexpected \"%.40s\" where a statement starts", pg->tok.start);
		}
	}
}

static int finish_input(struct pg *pg)
{
	if (pg->want_db && pg->db[0] && !pg->saw_want_db)
		return amber_error_at(pg->err, pg->r.name, 0, 0, "database %s is not in the dump",
				      pg->want_db);
	if (pg->pass == DUMP_PASS_SCHEMA)
		return 0;
	char sha[DIGEST_HEX_LEN + 1];
	if (input_finish_sha256(pg->r.in, sha, pg->err) < 0)
		return -1;
	dump_end_input(pg->d, sqlread_raw_bytes(&pg->r), sha, input_compression(pg->r.in));
	return 0;
}

int sqldump_load_postgres(struct dump *d, const char *path, const char *name, enum dump_pass pass,
			  const struct sqldump_options *opt, struct amber_error *err)
{
	struct pg pg = {0};
	pg.d = d;
	pg.pass = pass;
	pg.err = err;
	pg.schema = opt && opt->schema ? opt->schema : "public";
	pg.want_db = opt ? opt->database : NULL;
	if (sqlread_open(&pg.r, path, name, SQL_POSTGRES, err) < 0) {
		sqlread_close(&pg.r);
		return -1;
	}
	if (notes.d != d)
		notes_reset(d);
	dump_begin_input(d, pg.r.name, pass, input_total_bytes(pg.r.in));
	int rc = run(&pg);
	if (rc == 0)
		rc = finish_input(&pg);
	sqlread_close(&pg.r);
	free(pg.toks);
	free(pg.vals);
	free(pg.names);
	buf_free(&pg.text);
	buf_free(&pg.field);
	buf_free(&pg.conv);
	buf_free(&pg.elem);
	buf_free(&pg.row);
	return rc;
}
