/* test_sqldump_detect.c — unit tests for telling an SQL dump's dialect from its first bytes
 * (sqldump_detect) and for the dialect names of --format (formats/sqldump.h). The heads are
 * copied from what today's tools write: MariaDB 10.11's and MySQL 8's mysqldump, pg_dump 15
 * and 16 (with and without \restrict), pg_dumpall, and sqlite3 .dump. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "formats/sqldump.h"

static enum sql_dialect detect(const char *head)
{
	return sqldump_detect(head, strlen(head));
}

static void mariadb_dump_starts_with_the_sandbox_line(void **state)
{
	(void)state;
	assert_int_equal(detect("/*M!999999\\- enable the sandbox mode */ \n"
				"-- MariaDB dump 10.19-11.4.3-MariaDB, for debian-linux-gnu (x86_64)\n"
				"--\n-- Host: localhost    Database: shop\n"),
			 SQL_MYSQL);
	/* The sandbox line alone is enough. */
	assert_int_equal(detect("/*M!999999\\- enable the sandbox mode */ \n"), SQL_MYSQL);
}

static void mysql_dump_header_and_conditional_comments(void **state)
{
	(void)state;
	assert_int_equal(detect("-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n--\n"), SQL_MYSQL);
	/* --skip-comments: only the conditional comments remain. */
	assert_int_equal(detect("\n/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n"
				"/*!40103 SET TIME_ZONE='+00:00' */;\n"),
			 SQL_MYSQL);
}

static void pg_dump_header_restrict_and_copy(void **state)
{
	(void)state;
	assert_int_equal(detect("--\n-- PostgreSQL database dump\n--\n\n"
				"\\restrict abcDEF123\n\n-- Dumped from database version 15.8\n"),
			 SQL_POSTGRES);
	assert_int_equal(detect("--\n-- PostgreSQL database cluster dump\n--\n\n\\restrict K\n"),
			 SQL_POSTGRES);
	/* No comments (pg_dump piped through a filter): \restrict, COPY or set_config tell it. */
	assert_int_equal(detect("\\restrict XYZ\nSET statement_timeout = 0;\n"), SQL_POSTGRES);
	assert_int_equal(detect("SET client_encoding = 'UTF8';\n"
				"COPY public.t (id, name) FROM stdin;\n1\tx\n\\.\n"),
			 SQL_POSTGRES);
	assert_int_equal(detect("SELECT pg_catalog.set_config('search_path', '', false);\n"), SQL_POSTGRES);
}

static void sqlite_dump_starts_with_pragma_and_begin(void **state)
{
	(void)state;
	assert_int_equal(detect("PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t(a);\n"),
			 SQL_SQLITE);
	assert_int_equal(detect("BEGIN TRANSACTION;\nCREATE TABLE t(a);\nCOMMIT;\n"), SQL_SQLITE);
	assert_int_equal(detect("PRAGMA foreign_keys=OFF;\r\nBEGIN TRANSACTION;\r\n"), SQL_SQLITE);
}

static void other_text_is_no_dump(void **state)
{
	(void)state;
	assert_int_equal(detect(""), SQL_NONE);
	assert_int_equal(detect("id,name\n1,x\n"), SQL_NONE);
	assert_int_equal(detect("CREATE TABLE t (a int);\nINSERT INTO t VALUES (1);\n"), SQL_NONE);
	/* The markers must start a line: quoted inside data they mean nothing. */
	assert_int_equal(detect("note\tsee '-- MySQL dump' and COPY x FROM stdin;\n"), SQL_NONE);
	assert_int_equal(detect("PRAGMA foreign_keys=OFF;\nCREATE TABLE t(a);\n"), SQL_NONE);
	assert_int_equal(detect("/*! not a version */\n"), SQL_NONE);
}

static void detection_looks_at_the_first_64_kib_only(void **state)
{
	(void)state;
	size_t n = 70 * 1024;
	char *head = malloc(n + 64);
	memset(head, '\n', n);
	strcpy(head + n, "-- MySQL dump 10.13\n");
	assert_int_equal(sqldump_detect(head, strlen(head)), SQL_NONE);
	strcpy(head + 1000, "-- MySQL dump 10.13\n");
	assert_int_equal(sqldump_detect(head, n), SQL_MYSQL);
	/* A head cut inside the marker is not a match, and reads nothing past its length. */
	assert_int_equal(sqldump_detect("-- MySQL du", 11), SQL_NONE);
	free(head);
}

static void dialect_names_and_schema_pass(void **state)
{
	(void)state;
	enum sql_dialect dialect = SQL_NONE;
	assert_int_equal(sqldump_parse_dialect("mysql", &dialect), 0);
	assert_int_equal(dialect, SQL_MYSQL);
	assert_int_equal(sqldump_parse_dialect("postgresql", &dialect), 0);
	assert_int_equal(dialect, SQL_POSTGRES);
	assert_int_equal(sqldump_parse_dialect("pg", &dialect), 0);
	assert_int_equal(dialect, SQL_POSTGRES);
	assert_int_equal(sqldump_parse_dialect("sqlite", &dialect), 0);
	assert_int_equal(dialect, SQL_SQLITE);
	assert_int_equal(sqldump_parse_dialect("csv", &dialect), -1);
	assert_int_equal(sqldump_parse_dialect("MySQL", &dialect), -1);
	assert_true(sqldump_needs_schema_pass(SQL_POSTGRES));
	assert_false(sqldump_needs_schema_pass(SQL_MYSQL));
	assert_false(sqldump_needs_schema_pass(SQL_SQLITE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(mariadb_dump_starts_with_the_sandbox_line),
	    cmocka_unit_test(mysql_dump_header_and_conditional_comments),
	    cmocka_unit_test(pg_dump_header_restrict_and_copy),
	    cmocka_unit_test(sqlite_dump_starts_with_pragma_and_begin),
	    cmocka_unit_test(other_text_is_no_dump),
	    cmocka_unit_test(detection_looks_at_the_first_64_kib_only),
	    cmocka_unit_test(dialect_names_and_schema_pass),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
