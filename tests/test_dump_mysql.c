/* test_dump_mysql.c — the mysqldump/mariadb-dump translator over core/dump and the loader:
 * each test loads unit inputs (small SQL texts written for these tests in mysqldump's shapes,
 * not real dumps: those are fixtures made by the real tools) and queries the finished database
 * with SQLite, or checks the error's place and message. */
#include "core/dump.h"
#include "core/progress.h"
#include "formats/sqldump.h"
#include "tests/support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static struct progress quiet;

/* One unit input in one pass. */
static int load_one(struct dump *d, const char *path, const struct sqldump_options *opt,
		    struct amber_error *err)
{
	return sqldump_load_mysql(d, path, "unit.sql", DUMP_PASS_ALL, opt, err);
}

/* Unit input in mariadb-dump's shape: sandbox line, conditional SETs, LOCK TABLES, extended
 * INSERTs, the view placeholder and the view, a trigger and a procedure in DELIMITER blocks. */
static const char shop_dump[] =
    "/*M!999999\\- enable the sandbox mode */ \n"
    "-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB, for debian-linux-gnu (x86_64)\n"
    "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n"
    "/*!40101 SET NAMES utf8mb4 */;\n"
    "/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;\n"
    "DROP TABLE IF EXISTS `items`;\n"
    "/*!40101 SET @saved_cs_client     = @@character_set_client */;\n"
    "CREATE TABLE `items` (\n"
    "  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,\n"
    "  `name` varchar(100) NOT NULL DEFAULT '' COMMENT 'the name',\n"
    "  `price` decimal(10,2) DEFAULT NULL,\n"
    "  `big` bigint(20) unsigned DEFAULT 0,\n"
    "  `ok` tinyint(1) NOT NULL DEFAULT 1,\n"
    "  `flags` bit(3) DEFAULT b'0',\n"
    "  `data` blob,\n"
    "  `ratio` double DEFAULT -1.5,\n"
    "  `made` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),\n"
    "  `kind` enum('a','b') CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT 'a',\n"
    "  `total` decimal(12,2) GENERATED ALWAYS AS (`price` * 2) VIRTUAL,\n"
    "  PRIMARY KEY (`id`),\n"
    "  UNIQUE KEY `name_u` (`name`(10)),\n"
    "  KEY `k_price` (`price` DESC),\n"
    "  FULLTEXT KEY `ft` (`name`),\n"
    "  CONSTRAINT `c1` CHECK (`price` >= 0)\n"
    ") ENGINE=InnoDB AUTO_INCREMENT=4 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;\n"
    "LOCK TABLES `items` WRITE;\n"
    "/*!40000 ALTER TABLE `items` DISABLE KEYS */;\n"
    "INSERT INTO `items` VALUES (1,'it\\'s \\\"q\\\"\\n\\\\',12.50,18446744073709551615,1,_binary '\\0',"
    "_binary 'a\\0b\\Z',-2.5e-3,'2024-01-01 00:00:00','a',25.00),(2,'caf\xc3\xa9',NULL,0,0,_binary "
    "'',NULL,1e10,"
    "'0000-00-00 00:00:00','b',NULL),(3,'x;--y/*',-0.5,5,TRUE,b'101',0x00FF,+3,'2024-01-01','a',-1.00);\n"
    "/*!40000 ALTER TABLE `items` ENABLE KEYS */;\n"
    "UNLOCK TABLES;\n"
    "DROP TABLE IF EXISTS `v`;\n"
    "/*!50001 DROP VIEW IF EXISTS `v`*/;\n"
    "/*!50001 CREATE VIEW `v` AS SELECT\n 1 AS `id`,\n  1 AS `name` */;\n"
    "/*!50003 SET @saved_sql_mode       = @@sql_mode */ ;\n"
    "DELIMITER ;;\n"
    "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER `bi` BEFORE INSERT ON "
    "`items` FOR EACH ROW BEGIN\n  SET NEW.name = CONCAT(NEW.name, ';');\nEND */;;\n"
    "DELIMITER ;\n"
    "DELIMITER ;;\n"
    "CREATE DEFINER=`root`@`localhost` PROCEDURE `p`(IN x INT)\nBEGIN\n  SELECT * FROM items;\nEND ;;\n"
    "DELIMITER ;\n"
    "/*!50001 DROP VIEW IF EXISTS `v`*/;\n"
    "/*!50001 CREATE ALGORITHM=UNDEFINED */\n"
    "/*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */\n"
    "/*!50001 VIEW `v` AS select `items`.`id` AS `id`,`items`.`name` AS `name` from `items` where "
    "`items`.`name` <> 'it\\'s \\\"q\\\"\\n\\\\' */;\n"
    "-- Dump completed on 2024-01-01  0:00:00\n";

static void test_types_keys_and_defaults_become_sqlite_ddl(void **state)
{
	(void)state;
	support_dump_load_ok(shop_dump, NULL);
	support_dump_check_query(
	    "SELECT name, type, pk, \"notnull\", dflt_value FROM pragma_table_info('items')",
	    "id|INTEGER|1|1|NULL\nname|TEXT|0|1|''\nprice||0|0|NULL\nbig||0|0|0\nok|INTEGER|0|1|1\n"
	    "flags|INTEGER|0|0|NULL\ndata|BLOB|0|0|NULL\nratio|REAL|0|0|-1.5\n"
	    "made|TEXT|0|1|CURRENT_TIMESTAMP\nkind|TEXT|0|0|'a'\ntotal||0|0|NULL");
	support_dump_check_query("SELECT name, \"unique\" FROM pragma_index_list('items') ORDER BY name",
				 "k_price|0\nname_u|1");
}

static void test_extended_insert_values_are_exact(void **state)
{
	(void)state;
	support_dump_load_ok(shop_dump, NULL);
	support_dump_check_query(
	    "SELECT id, quote(name), quote(price), quote(big), ok, flags, quote(data), ratio, made, kind "
	    "FROM items ORDER BY id",
	    "1|'it''s \"q\"\n\\'|12.5|'18446744073709551615'|1|0|X'6100621A'|-0.0025|2024-01-01 00:00:00|a\n"
	    "2|'caf\xc3\xa9'|NULL|0|0|0|NULL|10000000000.0|0000-00-00 00:00:00|b\n"
	    "3|'x;--y/*'|-0.5|5|1|5|X'00FF'|3.0|2024-01-01|a");
}

static void test_view_replaces_its_placeholder(void **state)
{
	(void)state;
	support_dump_load_ok(shop_dump, NULL);
	support_dump_check_query("SELECT type, name FROM sqlite_master WHERE name = 'v'", "view|v");
	/* The string was re-quoted for SQLite: backslash escapes undone, quotes doubled. */
	support_dump_check_query(
	    "SELECT instr(sql, 'it''''s \"q\"' || char(10) || '\\''') > 0 FROM sqlite_master "
	    "WHERE name = 'v'",
	    "1");
	support_dump_check_query("SELECT id, name FROM v ORDER BY id", "2|caf\xc3\xa9\n3|x;--y/*");
}

static void test_triggers_and_procedures_are_skipped_or_fail_under_strict(void **state)
{
	(void)state;
	support_dump_load_ok(shop_dump, NULL);
	support_dump_check_query("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'", "0");
	struct amber_error err = {0};
	const char *text = shop_dump;
	assert_int_equal(support_dump_load(&text, 1, NULL, 1, &err), -1);
	assert_non_null(strstr(err.message, "trigger is not supported (--strict)"));
	assert_int_equal(err.line, 38);
}

static void test_column_lists_insert_ignore_and_replace(void **state)
{
	(void)state;
	support_dump_load_ok(
	    "CREATE TABLE `t` (`id` bigint NOT NULL, `a` varchar(5), `b` int DEFAULT 7, PRIMARY KEY "
	    "(`id`));\n"
	    "INSERT INTO `t` (`b`, `id`, `a`) VALUES (1,1,'x'),(2,2,'y');\n"
	    "INSERT IGNORE INTO `t` (`id`, `a`, `b`) VALUES (1,'dup',9);\n"
	    "REPLACE INTO `t` VALUES (2,'new',3);\n"
	    "INSERT INTO t VALUES (3,NULL,-4);\n",
	    NULL);
	support_dump_check_query("SELECT id, a, b FROM t ORDER BY id", "1|x|1\n2|new|3\n3|NULL|-4");
}

static void test_auto_increment_key_is_the_rowid_and_foreign_keys_kept(void **state)
{
	(void)state;
	support_dump_load_ok(
	    "CREATE TABLE `p` (`id` int NOT NULL AUTO_INCREMENT PRIMARY KEY, `n` text);\n"
	    "CREATE TABLE `c` (\n `id` int NOT NULL,\n `p_id` int DEFAULT NULL,\n PRIMARY KEY (`id`),\n"
	    " KEY `p_id` (`p_id`),\n CONSTRAINT `fk` FOREIGN KEY (`p_id`) REFERENCES `p` (`id`) ON DELETE "
	    "CASCADE ON UPDATE NO ACTION\n) ENGINE=InnoDB;\n"
	    "INSERT INTO `p` VALUES (5,'five');\nINSERT INTO `c` VALUES (1,5);\n"
	    "CREATE UNIQUE INDEX `p_n` ON `p` (`n`(20));\n",
	    NULL);
	support_dump_check_query("SELECT rowid, id FROM p", "5|5");
	support_dump_check_query("SELECT name, \"unique\" FROM pragma_index_list('p')", "p_n|1");
	support_dump_check_query("SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list('c')",
				 "p|p_id|id");
	support_dump_check_query("SELECT name FROM pragma_index_list('c')", "p_id");
}

static void test_binary_strings_into_bit_and_integer_columns(void **state)
{
	(void)state;
	support_dump_load_ok(
	    "CREATE TABLE `b` (`f` bit(8), `g` bit(64), `h` bigint unsigned);\n"
	    "INSERT INTO `b` VALUES (_binary '\\0',_binary '\\0\\0\\0\\0\\0\\0\\0\\n',_binary 'A'),"
	    "(b'1111',0xFFFFFFFFFFFFFFFF,X'10');\n",
	    NULL);
	support_dump_check_query("SELECT quote(f), quote(g), quote(h) FROM b",
				 "0|10|65\n15|'18446744073709551615'|16");
}

static void test_database_option_picks_one_database(void **state)
{
	(void)state;
	static const char two[] =
	    "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `one` /*!40100 DEFAULT CHARACTER SET "
	    "utf8mb4 */;\nUSE `one`;\nCREATE TABLE `t` (`a` int);\nINSERT INTO `t` VALUES (1);\n"
	    "CREATE DATABASE `two`;\nUSE `two`;\nCREATE TABLE `t` (`a` int);\n"
	    "INSERT INTO `t` VALUES (2);\nDELIMITER ;;\nCREATE PROCEDURE `q`() BEGIN END ;;\n"
	    "DELIMITER ;\n";
	struct sqldump_options opt = {"two", NULL};
	support_dump_load_ok(two, &opt);
	support_dump_check_query("SELECT a FROM t", "2");
	support_dump_load_fails(two, 0, 7, 14, "\"t\" is defined twice");
}

/* mariadb-dump writes the values of generated columns, so they are kept as plain columns; an
 * INSERT that leaves them out (MySQL's mysqldump) gives NULL. */
static void test_generated_columns_are_kept_with_their_dumped_values(void **state)
{
	(void)state;
	support_dump_load_ok(
	    "CREATE TABLE `g` (`a` int, `b` int AS (`a` + 1) STORED, `c` int GENERATED ALWAYS AS (`a`*2) "
	    "VIRTUAL, KEY `kb` (`b`));\nINSERT INTO `g` VALUES (1,2,2);\nINSERT INTO `g` (`a`) VALUES (5);\n",
	    NULL);
	support_dump_check_query("SELECT a, b, c FROM g ORDER BY a", "1|2|2\n5|NULL|NULL");
	support_dump_check_query("SELECT name FROM pragma_index_list('g')", "kb");
}

/* MariaDB dumps BIT values as strings of raw bytes; in a table of an earlier input (whose
 * MySQL types are gone) a string that is not a decimal integer is taken as such bytes. */
static void test_bit_values_written_as_raw_byte_strings(void **state)
{
	(void)state;
	const char *two[] = {"CREATE TABLE `f` (`id` int, `b` bit(8) NOT NULL DEFAULT b'1', `i` int);\n"
			     "INSERT INTO `f` VALUES (1,'\x01',2),(2,'5','7');\n",
			     "INSERT INTO `f` VALUES (3,'\\0\x02','-3');\n"};
	struct amber_error err = {0};
	if (support_dump_load(two, 2, NULL, 0, &err) < 0)
		fail_msg("load: %s:%ld:%ld: %s", err.file, err.line, err.column, err.message);
	support_dump_check_query("SELECT id, b, i FROM f ORDER BY id", "1|1|2\n2|53|7\n3|2|-3");
}

static void test_drop_table_leaves_other_databases_tables(void **state)
{
	(void)state;
	static const char text[] = "USE `a`;\nCREATE TABLE `t` (`x` int);\nINSERT INTO `t` VALUES (1);\n"
				   "USE `b`;\nDROP TABLE IF EXISTS `t`;\nCREATE TABLE `t` (`x` int);\n";
	support_dump_load_fails(text, 0, 6, 14, "\"t\" is defined twice");
	static const char unknown[] = "USE `a`;\nCREATE TABLE `t` (`x` int);\n";
	struct sqldump_options opt = {"nosuchdb", NULL};
	struct amber_error err = {0};
	const char *texts[] = {unknown};
	assert_int_equal(support_dump_load(texts, 1, &opt, 0, &err), -1);
	assert_string_equal(err.message, "the dump has no database `nosuchdb` (it has a)");
}

static void test_truncated_insert_names_statement_and_line(void **state)
{
	(void)state;
	support_dump_load_fails(
	    "CREATE TABLE `t` (`a` int, `b` text);\n\nINSERT INTO `t` VALUES (1,'x'),\n(2,", 0, 4, 4,
	    "truncated dump: the input ends inside INSERT INTO `t` (started at line 3)");
	support_dump_load_fails("CREATE TABLE `t` (`a` int,\n`b` text", 0, 2, 9,
				"truncated dump: the input ends inside CREATE (started at line 1)");
}

static void test_bad_rows_and_values_name_their_place(void **state)
{
	(void)state;
	support_dump_load_fails(
	    "CREATE TABLE `t` (`a` int, `b` text);\nINSERT INTO `t` VALUES (1,'x'),(2);\n", 0, 2, 34,
	    "a row of INSERT INTO `t` has 1 values for 2 columns: \")\"");
	support_dump_load_fails("CREATE TABLE `t` (`a` int);\nINSERT INTO `t` VALUES (1,2);\n", 0, 2, 27,
				"has more than its 1 columns: \"2\"");
	support_dump_load_fails("CREATE TABLE `t` (`a` int);\nINSERT INTO `t` VALUES (1+1);\n", 0, 2, 26,
				"expected \",\" or \")\" after a value: \"+\"");
	support_dump_load_fails("CREATE TABLE `t` (`a` int, `b` text);\nINSERT INTO `t` VALUES (1,NOW());\n",
				0, 2, 27, "not a literal: \"NOW\"");
	support_dump_load_fails("CREATE TABLE `t` (`a` int);\nINSERT INTO `t` VALUES (DEFAULT);\n", 0, 2, 25,
				"not a literal: \"DEFAULT\"");
	support_dump_load_fails("CREATE TABLE `t` (`a` int);\nINSERT INTO `t` VALUES ('abc');\n", 0, 2, 25,
				"abc");
	support_dump_load_fails(
	    "CREATE TABLE `t` (`a` int);\nINSERT INTO `t` VALUES (1) ON DUPLICATE KEY UPDATE a=1;\n", 0, 2,
	    28, "ON DUPLICATE KEY UPDATE is not supported: \"ON\"");
	support_dump_load_fails("INSERT INTO `nope` VALUES (1);\n", 0, 1, 13,
				"a table the dump has not created");
	support_dump_load_fails("CREATE TABLE `t` (`a` text);\nINSERT INTO `t` VALUES ('ab\xff');\n", 0, 2,
				25, "UTF-8");
}

static void test_statement_errors_name_their_place(void **state)
{
	(void)state;
	support_dump_load_fails("SET x=1;\nFROB `t`;\n", 0, 2, 1, "unsupported statement: \"FROB\"");
	support_dump_load_fails("CREATE TABLE `t` (\n  `a` frobint\n);\n", 0, 2, 7,
				"unknown column type of `a`: \"frobint\"");
	support_dump_load_fails("CREATE TABLE `t` (`a` int);\nINSERT INTO `t` VALUES ('abc\n", 0, 2, 25,
				"unterminated string");
	support_dump_load_fails("ALTER TABLE `t` ADD COLUMN `x` int;\n", 0, 1, 1,
				"unsupported ALTER statement");
	support_dump_load_fails("CREATE TABLE `t` (`a` int) ENGINE=InnoDB;\nCREATE TABLE `t` (`a` int);\n", 0,
				2, 14, "defined twice");
}

static void test_harmless_statements_are_no_ops(void **state)
{
	(void)state;
	support_dump_load_ok(
	    "START TRANSACTION;\nSET autocommit=0;\nCREATE TABLE `t` (`a` int);\nLOCK TABLES `t` WRITE;\n"
	    "/*!40000 ALTER TABLE `t` DISABLE KEYS */;\nCOMMIT;\nUNLOCK TABLES;\n/*!40000 DROP DATABASE IF "
	    "EXISTS `x`*/;\nFLUSH PRIVILEGES;\n;;\nGRANT SELECT ON *.* TO 'u'@'%';\n",
	    NULL);
	support_dump_check_query("SELECT count(*) FROM t", "0");
}

int main(void)
{
	progress_init(&quiet, stderr, 1);
	support_dump_use(load_one, &quiet);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_types_keys_and_defaults_become_sqlite_ddl, support_temp_teardown),
	    cmocka_unit_test_teardown(test_extended_insert_values_are_exact, support_temp_teardown),
	    cmocka_unit_test_teardown(test_view_replaces_its_placeholder, support_temp_teardown),
	    cmocka_unit_test_teardown(test_triggers_and_procedures_are_skipped_or_fail_under_strict,
				      support_temp_teardown),
	    cmocka_unit_test_teardown(test_column_lists_insert_ignore_and_replace, support_temp_teardown),
	    cmocka_unit_test_teardown(test_auto_increment_key_is_the_rowid_and_foreign_keys_kept,
				      support_temp_teardown),
	    cmocka_unit_test_teardown(test_binary_strings_into_bit_and_integer_columns,
				      support_temp_teardown),
	    cmocka_unit_test_teardown(test_database_option_picks_one_database, support_temp_teardown),
	    cmocka_unit_test_teardown(test_generated_columns_are_kept_with_their_dumped_values,
				      support_temp_teardown),
	    cmocka_unit_test_teardown(test_bit_values_written_as_raw_byte_strings, support_temp_teardown),
	    cmocka_unit_test_teardown(test_drop_table_leaves_other_databases_tables, support_temp_teardown),
	    cmocka_unit_test_teardown(test_truncated_insert_names_statement_and_line, support_temp_teardown),
	    cmocka_unit_test_teardown(test_bad_rows_and_values_name_their_place, support_temp_teardown),
	    cmocka_unit_test_teardown(test_statement_errors_name_their_place, support_temp_teardown),
	    cmocka_unit_test_teardown(test_harmless_statements_are_no_ops, support_temp_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
