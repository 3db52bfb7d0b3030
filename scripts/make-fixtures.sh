#!/usr/bin/env bash
# make-fixtures.sh — makes the SQL dump fixtures of tests/fixtures/sql with the real tools.
#
# Starts a private MariaDB and PostgreSQL (scripts/sqlservers.sh: loopback, free ports, stopped
# by PID on exit), creates source databases that exercise what amber's dump readers must
# handle (an ML-API catalog schema with every column type, NULLs, hostile strings, a 1 MiB
# text, random blobs, GeoNames rows, views, triggers, routines), dumps them with several flag
# sets of mariadb-dump, pg_dump and pg_dumpall, builds a SQLite database with the sqlite3 CLI
# and dumps it with .dump, and records from each source itself, per table, the row count and
# a checksum of every row (tests/tools/rowsum) in <source>.expect. Also writes the catalog
# sample of samples/catalog (a small mariadb-dump with default flags).
#
# Usage: scripts/make-fixtures.sh [--canonical DIR] [OUTDIR]
#   OUTDIR defaults to tests/fixtures/sql. --canonical DIR also writes every source table's
#   canonical rows (rowsum -c) to DIR/<source>.<table>.rows, to see which field of a row that
#   amber got wrong differs. Needs root or sudo only to install the servers when missing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CANON_DIR=""
if [ "${1:-}" = --canonical ]; then
	[ $# -ge 2 ] || { echo "usage: make-fixtures.sh [--canonical DIR] [OUTDIR]" >&2; exit 2; }
	mkdir -p "$2"
	CANON_DIR=$(cd "$2" && pwd)
	shift 2
fi
OUT=${1:-$ROOT/tests/fixtures/sql}
SAMPLE_DIR=$ROOT/samples/catalog
GEONAMES=$ROOT/samples/geonames/cities500-extract.txt
GEONAMES_ROWS=1000
# Dumps larger than this are stored zstd-compressed (amber reads .zst).
COMPRESS_OVER=65536

. "$ROOT/scripts/sqlservers.sh"
die() { echo "make-fixtures: $*" >&2; exit 1; }

for tool in sqlite3 zstd awk od; do
	command -v "$tool" >/dev/null || die "$tool is missing (run scripts/deps.sh)"
done
[ -f "$GEONAMES" ] || die "$GEONAMES is missing"
sqlservers_install
make -C "$ROOT" --no-print-directory build/rel/tests/tools/rowsum >/dev/null
ROWSUM=$ROOT/build/rel/tests/tools/rowsum

RUN=$(mktemp -d "${TMPDIR:-/tmp}/amber-fixtures.XXXXXX")
cleanup() {
	stop_sql_servers "$RUN" || true
	rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Both servers and the dumps render times in UTC.
export TZ=UTC PGTZ=UTC
start_mariadb "$RUN"
start_postgres "$RUN"
mkdir -p "$OUT" "$SAMPLE_DIR"
rm -f "$OUT"/*.sql "$OUT"/*.sql.zst "$OUT"/*.expect "$OUT"/commands.txt "$OUT"/README.md

# --- shared data -------------------------------------------------------------------------------

hex_of() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }

# Strings that break naive dump readers: quotes and terminators, comment openers, COPY's \N
# and \. markers, dollar quotes, control characters, a backslash at the end, non-ASCII.
HOSTILE=(
	"');"
	"\\'"
	"/* not a comment"
	"*/ -- neither"
	"-- not a comment either"
	"#hash at the start"
	"\\N"
	$'a\tb'
	$'line1\nline2'
	"ends with a backslash\\"
	"emoji 😀🦄, ñ, 中文, ß"
	$'ctrl-Z \x1a here'
	$'CR\rCRLF\r\nend'
	$'before\n\\.\nafter'
	'$$ dollar $tag$ quotes $$'
	'DELIMITER ;;'
	"'single' \"double\" \`back\`"
	'%_ wildcards'
	''
	'NULL'
	'\0 \b \n \r \t \Z \\ \% \_ literal backslash escapes'
	"; INSERT INTO notes VALUES (999, 'x');"
	'  leading and trailing spaces  '
)

# Deterministic pseudo-random bytes (hex) of length $1 from seed $2, always containing the
# bytes a reader must escape or pass through: 00 1a 27 5c (and 0a 0d 22).
random_hex() {
	awk -v n="$1" -v seed="$2" 'BEGIN {
		srand(seed); s = ""
		split("00 1a 27 5c 0a 0d 22", must, " ")
		for (i = 1; i <= n; i++) {
			if (i <= 7) s = s must[i]; else s = s sprintf("%02x", int(rand() * 256))
		}
		print s
	}'
}
BLOB_SIZES=(7 8 16 64 255 1000 4096 20000)

# A 1 MiB ASCII text that compresses well but not to nothing.
big_text() {
	awk 'BEGIN {
		for (i = 1; n < 1048576; i++) {
			s = sprintf("line %d: model card paragraph %d, tokens %d, the quick brown fox jumps over the lazy dog\n", i, i % 97, (i * 7919) % 100003)
			if (n + length(s) > 1048576) s = substr(s, 1, 1048576 - n)
			printf "%s", s; n += length(s)
		}
	}'
}
big_text >"$RUN/big.txt"
[ "$(wc -c <"$RUN/big.txt")" -eq 1048576 ] || die "big text is not 1 MiB"

# GeoNames rows as one multi-row INSERT, in standard SQL quoting (MariaDB runs it with
# NO_BACKSLASH_ESCAPES): text as '...', empty numbers as NULL.
geonames_insert() {
	head -n "$GEONAMES_ROWS" "$GEONAMES" | awk -F'\t' '
	function q(s) { gsub(/\047/, "\047\047", s); return "\047" s "\047" }
	function n(s) { return s == "" ? "NULL" : s }
	BEGIN { print "INSERT INTO geoname VALUES" }
	{
		printf "%s(%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)", (NR > 1 ? ",\n" : ""),
			$1, q($2), q($3), q($4), $5, $6, q($7), q($8), q($9), q($10), q($11), q($12), q($13), q($14),
			n($15), n($16), n($17), q($18), q($19)
	}
	END { print ";" }'
}
geonames_insert >"$RUN/geonames.sql"

# --- MariaDB ---------------------------------------------------------------------------------

# The core of the ML-API catalog: providers, models, endpoints, prices, tags. Also the whole of
# samples/catalog.
mariadb_catalog_core() {
	cat <<'SQL'
SET NAMES utf8mb4;
SET time_zone = '+00:00';
SET sql_mode = 'NO_ENGINE_SUBSTITUTION,NO_BACKSLASH_ESCAPES';
CREATE TABLE providers (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  slug VARCHAR(64) NOT NULL,
  name VARCHAR(200) CHARACTER SET utf8mb4 NOT NULL COMMENT 'display name',
  country CHAR(2) CHARACTER SET latin1 DEFAULT NULL COMMENT 'ISO 3166 code',
  city VARCHAR(100) CHARACTER SET latin1 COLLATE latin1_swedish_ci DEFAULT NULL,
  website VARCHAR(255) DEFAULT NULL,
  is_active TINYINT(1) NOT NULL DEFAULT 1,
  verified BOOL DEFAULT NULL,
  founded YEAR DEFAULT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY uq_providers_slug (slug),
  KEY idx_providers_country (country, city)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='companies that serve models';

CREATE TABLE models (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  provider_id INT UNSIGNED NOT NULL,
  name VARCHAR(200) NOT NULL,
  family ENUM('llm','embedding','vision','speech','other') NOT NULL DEFAULT 'other',
  modalities SET('text','image','audio','video') DEFAULT 'text',
  context_tokens MEDIUMINT UNSIGNED DEFAULT NULL,
  params_billion DECIMAL(10,3) DEFAULT NULL,
  open_weights BOOLEAN NOT NULL DEFAULT FALSE,
  description TEXT,
  card MEDIUMTEXT,
  config JSON DEFAULT NULL,
  released DATE DEFAULT NULL,
  name_length SMALLINT AS (CHAR_LENGTH(name)) VIRTUAL,
  name_key VARCHAR(200) GENERATED ALWAYS AS (LOWER(name)) STORED,
  PRIMARY KEY (id),
  UNIQUE KEY uq_models_provider_name (provider_id, name),
  KEY idx_models_family (family),
  FULLTEXT KEY ft_models_description (description),
  CONSTRAINT fk_models_provider FOREIGN KEY (provider_id) REFERENCES providers (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE endpoints (
  id INT NOT NULL AUTO_INCREMENT,
  model_id BIGINT UNSIGNED NOT NULL,
  region VARCHAR(32) NOT NULL DEFAULT 'eu-west-1',
  url VARCHAR(1000) NOT NULL,
  protocol ENUM('https','grpc','websocket') NOT NULL DEFAULT 'https',
  port SMALLINT(5) UNSIGNED ZEROFILL DEFAULT NULL,
  latency_ms SMALLINT UNSIGNED DEFAULT NULL,
  uptime FLOAT DEFAULT NULL,
  score DOUBLE DEFAULT NULL,
  flags BIT(8) NOT NULL DEFAULT b'00000001',
  maintenance_window TIME DEFAULT NULL,
  last_checked DATETIME(6) DEFAULT NULL,
  PRIMARY KEY (id),
  KEY idx_endpoints_model (model_id),
  KEY idx_endpoints_region_protocol (region, protocol),
  CONSTRAINT fk_endpoints_model FOREIGN KEY (model_id) REFERENCES models (id)
) ENGINE=InnoDB AUTO_INCREMENT=1000 DEFAULT CHARSET=utf8mb4;

CREATE TABLE prices (
  endpoint_id INT NOT NULL,
  currency CHAR(3) NOT NULL DEFAULT 'USD',
  unit ENUM('1k_tokens','1m_tokens','image','second') NOT NULL,
  price DECIMAL(20,10) NOT NULL,
  price_exact DECIMAL(38,20) DEFAULT NULL COMMENT 'more digits than a double holds',
  valid_from DATE NOT NULL,
  PRIMARY KEY (endpoint_id, currency, unit, valid_from),
  CONSTRAINT fk_prices_endpoint FOREIGN KEY (endpoint_id) REFERENCES endpoints (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE tags (
  id TINYINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name VARCHAR(50) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_tags_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE model_tags (
  model_id BIGINT UNSIGNED NOT NULL,
  tag_id TINYINT UNSIGNED NOT NULL,
  PRIMARY KEY (model_id, tag_id),
  KEY idx_model_tags_tag (tag_id),
  CONSTRAINT fk_model_tags_model FOREIGN KEY (model_id) REFERENCES models (id),
  CONSTRAINT fk_model_tags_tag FOREIGN KEY (tag_id) REFERENCES tags (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO providers (id, slug, name, country, city, website, is_active, verified, founded, created_at, updated_at) VALUES
 (1, 'northwind-ai', 'Northwind AI', 'US', 'Seattle', 'https://northwind.example', 1, 1, 2016, '2020-01-15 08:00:00', '2024-03-01 12:30:00'),
 (2, 'lumen-labs', 'Lumen Labs', 'FR', 'Paris', 'https://lumen.example', 1, 1, 2019, '2021-06-01 00:00:00', '2024-02-11 09:15:42'),
 (3, 'kiwi-compute', 'Kiwi Compute', 'NZ', 'Wellington', NULL, 1, NULL, NULL, '2022-09-30 23:59:59', '2022-09-30 23:59:59'),
 (4, 'zurich-ml', 'Zürich ML', 'CH', 'Zürich', 'https://zml.example', 0, 0, 2015, '2019-05-05 05:05:05', '2023-12-31 23:59:59'),
 (5, 'sakura-models', 'さくらモデル', 'JP', 'Tōkyō', 'https://sakura.example', 1, 1, 2020, '2023-04-01 09:00:00', '2024-04-01 09:00:00'),
 (6, 'quote-co', 'O''Brien & "Sons" \ Co', NULL, NULL, NULL, 1, NULL, 1901, '2038-01-19 03:14:07', '1970-01-01 00:00:01');

INSERT INTO tags (id, name) VALUES (1, 'chat'), (2, 'code'), (3, 'multilingual'), (4, 'open-weights'), (5, 'fast'), (6, 'cheap'), (7, 'long-context'), (255, 'max-tinyint-unsigned');

INSERT INTO models (id, provider_id, name, family, modalities, context_tokens, params_billion, open_weights, description, card, config, released) VALUES
 (1, 1, 'nw-chat-large', 'llm', 'text', 128000, 175.000, 0, 'A large chat model.', 'Trained on public web text.', '{"temperature": 0.7, "top_p": 0.95}', '2023-03-14'),
 (2, 1, 'nw-embed-3', 'embedding', 'text', 8192, 0.350, 0, 'Text embeddings, 3072 dimensions.', NULL, '{"dimensions": 3072}', '2024-01-25'),
 (3, 2, 'lumen-7b', 'llm', 'text', 32768, 7.241, 1, 'Open 7B model; Apache-2.0.', 'Card: see https://lumen.example/7b', '{"license": "Apache-2.0", "quant": ["q4", "q8"]}', '2023-09-27'),
 (4, 2, 'lumen-vision', 'vision', 'text,image', 16384, 12.000, 1, 'Image and text in, text out.', NULL, NULL, '2024-02-01'),
 (5, 3, 'kiwi-whisper', 'speech', 'audio,text', NULL, 1.550, 1, 'Speech to text.', NULL, '{}', NULL),
 (6, 4, 'zml-tiny', 'other', '', 2048, 0.001, 1, NULL, NULL, '[]', '2019-12-31'),
 (7, 5, 'さくら-chat', 'llm', 'text,image,audio,video', 16777215, 99999.999, 0, 'Multilingual chat: 日本語, English, Français.', 'Emoji test: 🌸🤖', '{"name": "さくら", "emoji": "🌸"}', '2024-04-01'),
 (8, 6, 'quote''s "model"', 'other', NULL, 0, NULL, 0, 'It''s a model with a \ backslash', NULL, '{"q": "it''s \"quoted\""}', '2000-02-29');

INSERT INTO model_tags VALUES (1,1),(1,5),(2,6),(3,1),(3,2),(3,4),(4,3),(5,3),(6,6),(6,4),(7,1),(7,3),(7,7),(7,255),(8,6);

INSERT INTO endpoints (id, model_id, region, url, protocol, port, latency_ms, uptime, score, flags, maintenance_window, last_checked) VALUES
 (1000, 1, 'us-east-1', 'https://api.northwind.example/v1/chat', 'https', 443, 120, 99.95, 0.875, b'00000001', '02:00:00', '2024-05-01 10:00:00.123456'),
 (1001, 1, 'eu-west-1', 'https://eu.api.northwind.example/v1/chat', 'https', 443, 95, 99.9, 0.1, b'00000011', '03:30:00', '2024-05-01 10:00:01.000001'),
 (1002, 2, 'us-east-1', 'https://api.northwind.example/v1/embed', 'grpc', 8443, 15, 100, 1.7976931348623157e308, b'10000000', NULL, '2024-05-01 10:00:02.5'),
 (1003, 3, 'eu-west-3', 'wss://lumen.example/stream', 'websocket', 80, 60, 98.5, -2.2250738585072014e-308, b'11111111', '-838:59:59', NULL),
 (1004, 4, 'eu-west-3', 'https://lumen.example/vision', 'https', 7, NULL, NULL, NULL, b'00000000', '838:59:59', '1000-01-01 00:00:00'),
 (1005, 5, 'ap-southeast-2', 'https://kiwi.example/asr?lang=en&fmt=json', 'https', NULL, 250, 0.5, 3.141592653589793, b'01010101', '00:00:00.5', '9999-12-31 23:59:59.999999'),
 (1006, 7, 'ap-northeast-1', 'https://sakura.example/チャット', 'https', 65535, 65535, 1e-10, 6.02214076e23, b'00000001', '12:34:56', '2024-04-01 00:00:00'),
 (1007, 8, 'eu-central-1', 'https://quote.example/''); DROP TABLE models; --', 'https', 1, 0, 0, 0, b'00000001', NULL, NULL);

-- More endpoints and prices, generated (MariaDB's sequence engine).
INSERT INTO endpoints (model_id, region, url, protocol, port, latency_ms, uptime, score, flags, last_checked)
SELECT 1 + seq % 8, ELT(1 + seq % 4, 'us-east-1', 'eu-west-1', 'ap-south-1', 'sa-east-1'),
       CONCAT('https://replica-', seq, '.example/v1'), ELT(1 + seq % 3, 'https', 'grpc', 'websocket'),
       IF(seq % 5 = 0, NULL, 1000 + seq), seq * 3 % 500, 90 + (seq % 100) / 10, seq / 7, b'00000001',
       TIMESTAMP('2024-01-01 00:00:00') + INTERVAL seq * 3607 SECOND
FROM seq_1_to_120;

INSERT INTO prices (endpoint_id, currency, unit, price, price_exact, valid_from)
SELECT id, 'USD', '1m_tokens', 0.15 + (id % 50) * 0.3333333333, NULL, '2024-01-01' FROM endpoints;
INSERT INTO prices (endpoint_id, currency, unit, price, price_exact, valid_from)
SELECT id, 'EUR', '1k_tokens', (id % 13) / 1000, CONCAT('0.', REPEAT(id % 10, 20)), '2024-06-01' FROM endpoints WHERE id % 3 = 0;
INSERT INTO prices VALUES
 (1000, 'USD', 'image', 9999999999.9999999999, 123456789012345678.12345678901234567890, '2023-01-01'),
 (1001, 'CHF', 'second', 0.0000000001, -0.00000000000000000001, '2023-01-01'),
 (1002, 'JPY', 'second', -9999999999.9999999999, -999999999999999999.99999999999999999999, '2023-01-01');
SQL
}

# Every other construct: numbers at their limits, text and blobs, a 1 MiB text, GeoNames rows,
# views, a trigger, a procedure, a function, an event, and rows with a zero date.
mariadb_catalog_rest() {
	cat <<'SQL'
SET NAMES utf8mb4;
SET time_zone = '+00:00';
SET sql_mode = 'NO_ENGINE_SUBSTITUTION,NO_BACKSLASH_ESCAPES';
CREATE TABLE numbers (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED,
  mi MEDIUMINT, miu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED,
  bi BIGINT, biu BIGINT UNSIGNED, zf INT(8) ZEROFILL, bzf BIGINT(20) UNSIGNED ZEROFILL,
  b1 BIT(1), b64 BIT(64), flag TINYINT(1),
  d65 DECIMAL(65,30), d5 DECIMAL(5,2), dint DECIMAL(30,0),
  f FLOAT, f2 FLOAT(10,4), dbl DOUBLE, yr YEAR
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='every number type at its limits';
INSERT INTO numbers VALUES
 (1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, 0, 0, b'0', b'0', 0,
  -99999999999999999999999999999999999.999999999999999999999999999999, -999.99, -999999999999999999999999999999,
  -3.40282e38, -999999.9999, -1.7976931348623157e308, 1901),
 (2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615, 99999999, 18446744073709551615, b'1', b'0111111111111111111111111111111111111111111111111111111111111111', 1,
  99999999999999999999999999999999999.999999999999999999999999999999, 999.99, 999999999999999999999999999999,
  3.40282e38, 999999.9999, 1.7976931348623157e308, 2155),
 (3, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 42, 7, b'1', b'1010', 0,
  0.000000000000000000000000000001, 0.01, 12345678901234567,
  1.1, 0.1, 0.1, 0),
 (4, -1, 200, -1, 40000, -1, 9000000, -1, 3000000000, -1, 9223372036854775808, 1, 9223372036854775807, NULL, b'100000000000000000000000000000000000000000000000000000000000000', NULL,
  3.141592653589793238462643383279502884197169399375, 123.45, 100000000000000000000,
  0.30000001, 3.1416, 0.30000000000000004, 2024),
 (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (6, 5, 5, 5, 5, 5, 5, 5, 5, 1234567890123456789, 12345678901234567890, 5, 5, b'0', b'11111111', 1,
  1.5, 1.5, 1, 1e-30, 1.5, 4.9406564584124654e-324, 1970),
 (7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 999999999999999, 0, 0, b'0', b'0', 0,
  123456789012345.123456789, 0, 123456789012345, 16777216, 0, 2.2250738585072014e-308, 2000);

CREATE TABLE temporal (
  id INT NOT NULL PRIMARY KEY,
  d DATE, t TIME, t3 TIME(3), dt DATETIME, dt6 DATETIME(6), ts TIMESTAMP NULL DEFAULT NULL, ts6 TIMESTAMP(6) NULL DEFAULT NULL,
  y YEAR, note VARCHAR(40)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
SET sql_mode = 'NO_ENGINE_SUBSTITUTION,NO_BACKSLASH_ESCAPES,ALLOW_INVALID_DATES';
INSERT INTO temporal VALUES
 (1, '2024-02-29', '13:45:00', '13:45:00.123', '2024-02-29 13:45:00', '2024-02-29 13:45:00.000001', '2024-02-29 13:45:00', '2024-02-29 13:45:00.999999', 2024, 'leap day'),
 (2, '0000-00-00', '00:00:00', '-838:59:59.000', '0000-00-00 00:00:00', '0000-00-00 00:00:00.000000', '0000-00-00 00:00:00', NULL, 0, 'zero dates'),
 (3, '1000-01-01', '-838:59:59', '838:59:59.000', '1000-01-01 00:00:00', '1000-01-01 00:00:00.000000', '1970-01-01 00:00:01', '1970-01-01 00:00:01.000000', 1901, 'minimum'),
 (4, '9999-12-31', '838:59:59', '23:59:59.999', '9999-12-31 23:59:59', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07', '2038-01-19 03:14:07.999999', 2155, 'maximum'),
 (5, '2024-00-10', NULL, NULL, '2024-04-31 10:00:00', NULL, NULL, NULL, NULL, 'invalid day allowed'),
 (6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
SET sql_mode = 'NO_ENGINE_SUBSTITUTION,NO_BACKSLASH_ESCAPES';

CREATE TABLE notes (
  id INT NOT NULL PRIMARY KEY,
  body TEXT,
  tiny TINYTEXT,
  label VARCHAR(255) CHARACTER SET latin1 DEFAULT 'none',
  code CHAR(10) DEFAULT NULL,
  ascii_only VARCHAR(100) CHARACTER SET ascii DEFAULT NULL,
  long_body LONGTEXT
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb4 COMMENT='hostile strings';

CREATE TABLE blobs (
  id INT NOT NULL PRIMARY KEY,
  tb TINYBLOB, b BLOB, mb MEDIUMBLOB, lb LONGBLOB,
  bin BINARY(16), vb VARBINARY(255)
) ENGINE=InnoDB;

CREATE TABLE documents (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  model_id BIGINT UNSIGNED DEFAULT NULL,
  title VARCHAR(200) NOT NULL,
  body LONGTEXT NOT NULL,
  KEY idx_documents_model (model_id),
  CONSTRAINT fk_documents_model FOREIGN KEY (model_id) REFERENCES models (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE geoname (
  geonameid INT NOT NULL,
  name VARCHAR(200) NOT NULL,
  asciiname VARCHAR(200) NOT NULL,
  alternatenames VARCHAR(10000) NOT NULL,
  latitude DECIMAL(10,7) NOT NULL,
  longitude DECIMAL(10,7) NOT NULL,
  feature_class CHAR(1) NOT NULL,
  feature_code VARCHAR(10) NOT NULL,
  country_code CHAR(2) NOT NULL,
  cc2 VARCHAR(200) NOT NULL,
  admin1_code VARCHAR(20) NOT NULL,
  admin2_code VARCHAR(80) NOT NULL,
  admin3_code VARCHAR(20) NOT NULL,
  admin4_code VARCHAR(20) NOT NULL,
  population BIGINT DEFAULT NULL,
  elevation INT DEFAULT NULL,
  dem INT DEFAULT NULL,
  timezone VARCHAR(40) NOT NULL,
  modification_date DATE NOT NULL,
  PRIMARY KEY (geonameid),
  KEY idx_geoname_country (country_code),
  KEY idx_geoname_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='GeoNames cities500 rows (CC BY 4.0)';

CREATE TABLE audit_log (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  model_id BIGINT UNSIGNED NOT NULL,
  old_name VARCHAR(200),
  changed_at DATETIME NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE VIEW model_endpoints AS
  SELECT m.id AS model_id, m.name AS model, e.region, e.url
  FROM models m JOIN endpoints e ON e.model_id = m.id;
CREATE VIEW provider_labels AS
  SELECT id, CONCAT(UCASE(name), ' (', IF(is_active, 'active', 'inactive'), ')') AS label FROM providers;

DELIMITER ;;
CREATE TRIGGER models_audit BEFORE UPDATE ON models FOR EACH ROW
BEGIN
  IF NEW.name <> OLD.name THEN
    INSERT INTO audit_log (model_id, old_name, changed_at) VALUES (OLD.id, OLD.name, NOW());
  END IF;
END;;
CREATE PROCEDURE cheapest_endpoints(IN cur CHAR(3), IN n INT)
BEGIN
  SELECT e.url, p.price FROM prices p JOIN endpoints e ON e.id = p.endpoint_id
  WHERE p.currency = cur ORDER BY p.price LIMIT n;
END;;
CREATE FUNCTION per_million(p DECIMAL(20,10)) RETURNS DECIMAL(30,10) DETERMINISTIC
BEGIN
  RETURN p * 1000; -- from per 1k tokens
END;;
CREATE EVENT purge_audit ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DISABLE
  DO DELETE FROM audit_log WHERE changed_at < NOW() - INTERVAL 30 DAY;;
DELIMITER ;
SQL
}

# The hostile strings, NULLs, blobs and the big text as INSERTs (values in hex, so the SQL
# that makes them cannot itself go wrong).
mariadb_catalog_values() {
	local i=1 s
	echo "SET NAMES utf8mb4;"
	# Not strict: characters that latin1 lacks become '?' in the latin1 column.
	echo "SET sql_mode = 'NO_ENGINE_SUBSTITUTION';"
	for s in "${HOSTILE[@]}"; do
		local h
		h=$(hex_of "$s")
		echo "INSERT INTO notes (id, body, tiny, label, code, long_body) VALUES ($i, CONVERT(X'$h' USING utf8mb4), CONVERT(X'$h' USING utf8mb4), LEFT(CONVERT(CONVERT(X'$h' USING utf8mb4) USING latin1), 255), NULL, CONVERT(X'$h' USING utf8mb4));"
		i=$((i + 1))
	done
	# A TEXT with a NUL byte (mysqldump writes \0), latin1 and ascii columns, char padding.
	echo "INSERT INTO notes VALUES (100, CONVERT(X'6e756c00627974650a' USING utf8mb4), 'x', CONVERT(X'4772fc657a69' USING latin1), 'pad  ', 'plain ascii', NULL);"
	echo "INSERT INTO notes VALUES (101, NULL, NULL, NULL, NULL, NULL, NULL);"
	echo "INSERT INTO notes (id) VALUES (102);"
	i=1
	for n in "${BLOB_SIZES[@]}"; do
		local h
		h=$(random_hex "$n" "$i")
		echo "INSERT INTO blobs VALUES ($i, X'${h:0:510}', X'$h', X'$h', X'$h', X'${h:0:32}', X'${h:0:510}');"
		i=$((i + 1))
	done
	local all
	all=$(awk 'BEGIN { for (i = 0; i < 256; i++) printf "%02x", i }')
	echo "INSERT INTO blobs VALUES (100, X'', X'$all', X'', NULL, X'00', X'');"
	echo "INSERT INTO blobs VALUES (101, NULL, NULL, NULL, NULL, NULL, NULL);"
	printf "INSERT INTO documents (id, model_id, title, body) VALUES (1, 1, 'the 1 MiB card', '"
	cat "$RUN/big.txt"
	echo "');"
	echo "INSERT INTO documents (id, model_id, title, body) VALUES (2, NULL, 'empty', ''), (3, 7, 'short', 'see the card');"
	echo "SET sql_mode = 'NO_ENGINE_SUBSTITUTION,NO_BACKSLASH_ESCAPES';"
	cat "$RUN/geonames.sql"
	# Fires the trigger once so audit_log has a row.
	echo "SET timestamp = 1700000000; UPDATE models SET name = 'nw-chat-large-v2' WHERE id = 1; SET timestamp = DEFAULT;"
}

# The second database of the --databases dump; `tags` clashes with catalog.tags.
mariadb_billing() {
	cat <<'SQL'
SET NAMES utf8mb4;
SET time_zone = '+00:00';
CREATE TABLE tags (
  tag VARCHAR(20) NOT NULL PRIMARY KEY,
  color CHAR(7) DEFAULT '#000000'
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE invoices (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  provider_slug VARCHAR(64) NOT NULL,
  tag VARCHAR(20) DEFAULT NULL,
  amount DECIMAL(12,2) NOT NULL,
  paid BOOL NOT NULL DEFAULT 0,
  issued DATE NOT NULL,
  pdf MEDIUMBLOB,
  KEY idx_invoices_provider (provider_slug),
  CONSTRAINT fk_invoices_tag FOREIGN KEY (tag) REFERENCES tags (tag)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO tags VALUES ('urgent', '#ff0000'), ('q1', NULL), ('it''s', '#00ff00');
INSERT INTO invoices (provider_slug, tag, amount, paid, issued, pdf)
SELECT ELT(1 + seq % 3, 'northwind-ai', 'lumen-labs', 'kiwi-compute'), IF(seq % 4 = 0, NULL, ELT(1 + seq % 3, 'urgent', 'q1', 'it''s')),
       seq * 123.45, seq % 2, DATE('2024-01-01') + INTERVAL seq DAY, IF(seq % 5 = 0, NULL, UNHEX(SHA2(seq, 256)))
FROM seq_1_to_30;
CREATE VIEW unpaid AS SELECT id, provider_slug, amount FROM invoices WHERE paid = 0;
SQL
}

mdb -e "CREATE DATABASE catalog CHARACTER SET utf8mb4; CREATE DATABASE billing CHARACTER SET utf8mb4; CREATE DATABASE mlcatalog CHARACTER SET utf8mb4;"
mariadb_catalog_core | mdb catalog
mariadb_catalog_rest | mdb catalog
mariadb_catalog_values | mdb --max-allowed-packet=64M catalog
mariadb_billing | mdb billing
mariadb_catalog_core | mdb mlcatalog

# --- PostgreSQL ------------------------------------------------------------------------------

postgres_catalog() {
	cat <<'SQL'
SET client_encoding = 'UTF8';
SET TimeZone = 'UTC';
CREATE TYPE model_family AS ENUM ('llm', 'embedding', 'vision', 'speech', 'other');
CREATE ROLE catalog_reader NOLOGIN;

CREATE TABLE providers (
  id serial PRIMARY KEY,
  slug varchar(64) NOT NULL UNIQUE,
  name text NOT NULL,
  country char(2),
  is_active boolean NOT NULL DEFAULT true,
  verified boolean,
  founded smallint,
  created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE providers IS 'companies that serve models';
COMMENT ON COLUMN providers.name IS 'display name; it''s free text';

CREATE TABLE models (
  id bigserial PRIMARY KEY,
  provider_id integer NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  name varchar(200) NOT NULL,
  family model_family NOT NULL DEFAULT 'other',
  tags text[],
  sizes integer[],
  context_tokens integer,
  params_billion numeric(10,3),
  open_weights boolean NOT NULL DEFAULT false,
  uid uuid,
  config jsonb,
  raw_config json,
  released date,
  UNIQUE (provider_id, name)
);

CREATE TABLE endpoints (
  id integer PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY,
  model_id bigint NOT NULL REFERENCES models (id),
  region varchar(32) NOT NULL DEFAULT 'eu-west-1',
  url text NOT NULL,
  port integer,
  latency_ms smallint,
  uptime real,
  score double precision,
  maintenance time,
  maintenance_tz time with time zone,
  last_checked timestamp(6) without time zone,
  last_checked_tz timestamptz
);
CREATE INDEX endpoints_model_idx ON endpoints USING btree (model_id);
CREATE INDEX endpoints_region_idx ON endpoints (region, port);

CREATE TABLE prices (
  endpoint_id integer NOT NULL REFERENCES endpoints (id),
  currency char(3) NOT NULL DEFAULT 'USD',
  unit text NOT NULL,
  price numeric(20,10) NOT NULL,
  price_exact numeric,
  valid_from date NOT NULL,
  PRIMARY KEY (endpoint_id, currency, unit, valid_from)
);

CREATE TABLE numbers (
  id integer PRIMARY KEY,
  s smallint, i integer, b bigint,
  n numeric, n2 numeric(40,20), n3 numeric(5,2),
  r real, d double precision, flag boolean
);

CREATE TABLE notes (
  id integer PRIMARY KEY,
  body text,
  label varchar(255),
  code char(10),
  lines text[]
);

CREATE TABLE blobs (id integer PRIMARY KEY, data bytea, small bytea);
CREATE TABLE documents (id serial PRIMARY KEY, model_id bigint REFERENCES models (id), title text NOT NULL, body text NOT NULL);

CREATE TABLE geoname (
  geonameid integer PRIMARY KEY,
  name varchar(200) NOT NULL,
  asciiname varchar(200) NOT NULL,
  alternatenames text NOT NULL,
  latitude double precision NOT NULL,
  longitude double precision NOT NULL,
  feature_class char(1) NOT NULL,
  feature_code varchar(10) NOT NULL,
  country_code char(2) NOT NULL,
  cc2 varchar(200) NOT NULL,
  admin1_code varchar(20) NOT NULL,
  admin2_code varchar(80) NOT NULL,
  admin3_code varchar(20) NOT NULL,
  admin4_code varchar(20) NOT NULL,
  population bigint,
  elevation integer,
  dem integer,
  timezone varchar(40) NOT NULL,
  modification_date date NOT NULL
);
CREATE INDEX geoname_country_idx ON geoname (country_code);
CREATE UNIQUE INDEX geoname_name_id_idx ON geoname (name, geonameid);

CREATE SCHEMA billing;
CREATE SEQUENCE billing.invoice_no START 1000 INCREMENT 10;
CREATE TABLE billing.invoices (
  id integer PRIMARY KEY DEFAULT nextval('billing.invoice_no'),
  provider_id integer REFERENCES providers (id),
  amount numeric(12,2) NOT NULL,
  paid boolean NOT NULL DEFAULT false,
  issued date NOT NULL
);
COMMENT ON SCHEMA billing IS 'money';

CREATE TABLE audit_log (id serial PRIMARY KEY, model_id bigint, old_name text, changed_at timestamptz);

CREATE FUNCTION models_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.name <> OLD.name THEN
    INSERT INTO audit_log (model_id, old_name, changed_at) VALUES (OLD.id, OLD.name, '2024-01-01 00:00:00+00');
  END IF;
  RETURN NEW; -- a ';' and a '$' inside
END;
$$;
CREATE FUNCTION per_million(p numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $fn$
  SELECT p * 1000 -- $$ is not the end here
$fn$;
CREATE TRIGGER models_audit BEFORE UPDATE ON models FOR EACH ROW EXECUTE FUNCTION models_audit();
CREATE VIEW model_endpoints AS
  SELECT m.id AS model_id, m.name AS model, e.region, e.url FROM models m JOIN endpoints e ON e.model_id = m.id;
GRANT SELECT ON providers, models, endpoints, prices TO catalog_reader;
GRANT USAGE ON SCHEMA billing TO catalog_reader;

INSERT INTO providers (id, slug, name, country, is_active, verified, founded, created_at) VALUES
 (1, 'northwind-ai', 'Northwind AI', 'US', true, true, 2016, '2020-01-15 08:00:00+00'),
 (2, 'lumen-labs', 'Lumen Labs', 'FR', true, true, 2019, '2021-06-01 02:00:00+02'),
 (3, 'kiwi-compute', 'Kiwi Compute', 'NZ', true, NULL, NULL, '2022-09-30 23:59:59.999999+00'),
 (4, 'zurich-ml', 'Zürich ML', 'CH', false, false, 2015, '1900-01-01 00:00:00+00'),
 (5, 'sakura-models', 'さくらモデル', 'JP', true, true, 2020, '2023-04-01 09:00:00+09'),
 (6, 'quote-co', 'O''Brien & "Sons" \ Co', NULL, true, NULL, -32768, '0001-01-01 00:00:00+00');
SELECT setval('providers_id_seq', 6);

INSERT INTO models (id, provider_id, name, family, tags, sizes, context_tokens, params_billion, open_weights, uid, config, raw_config, released) VALUES
 (1, 1, 'nw-chat-large', 'llm', '{chat,fast}', '{1,2,3}', 128000, 175.000, false, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"temperature": 0.7, "top_p": 0.95}', '{"temperature": 0.70,  "top_p": 0.95}', '2023-03-14'),
 (2, 1, 'nw-embed-3', 'embedding', '{}', '{}', 8192, 0.350, false, NULL, '{"dimensions": 3072}', NULL, '2024-01-25'),
 (3, 2, 'lumen-7b', 'llm', ARRAY['chat', NULL, 'code, "quoted"', 'back\slash', 'NULL', ''], ARRAY[7, NULL, -2147483648], 32768, 7.241, true, '00000000-0000-0000-0000-000000000000', '{"license": "Apache-2.0", "quant": ["q4", "q8"], "nested": {"a": [1, 2.5, null, true]}}', '[1, 2, 3]', '2023-09-27'),
 (4, 2, 'lumen-vision', 'vision', NULL, NULL, 16384, 12.000, true, 'ffffffff-ffff-ffff-ffff-ffffffffffff', NULL, '{}', '2024-02-01'),
 (5, 3, 'kiwi-whisper', 'speech', ARRAY[E'tab\there', E'new\nline', '{braces}', 'a,b'], ARRAY[2147483647], NULL, 1.550, true, NULL, '{}', '"just a string"', NULL),
 (6, 4, 'zml-tiny', 'other', '{"x"}', '{0}', 2048, 0.001, true, NULL, '[]', 'null', '0001-01-01'),
 (7, 5, 'さくら-chat', 'llm', ARRAY['多言語', '🌸'], NULL, 2147483647, 99999.999, false, NULL, '{"name": "さくら", "emoji": "🌸"}', '{"name": "さくら"}', '2024-04-01'),
 (8, 6, 'quote''s "model"', 'other', NULL, NULL, 0, NULL, false, NULL, '{"q": "it''s \"quoted\""}', NULL, '2000-02-29');
SELECT setval('models_id_seq', 8);

INSERT INTO endpoints (id, model_id, region, url, port, latency_ms, uptime, score, maintenance, maintenance_tz, last_checked, last_checked_tz) VALUES
 (1000, 1, 'us-east-1', 'https://api.northwind.example/v1/chat', 443, 120, 99.95, 0.875, '02:00', '02:00+01', '2024-05-01 10:00:00.123456', '2024-05-01 10:00:00.123456+00'),
 (1001, 1, 'eu-west-1', 'https://eu.api.northwind.example/v1/chat', 443, 95, 'NaN', 'NaN', '23:59:59.999999', '00:00-05:30', '2024-05-01 10:00:01', '2024-05-01 12:00:01+02'),
 (1002, 2, 'us-east-1', 'https://api.northwind.example/v1/embed', 8443, -32768, 'Infinity', 'Infinity', '24:00:00', NULL, '4713-01-01 00:00:00 BC', '294276-12-31 23:59:59+00'),
 (1003, 3, 'eu-west-3', 'wss://lumen.example/stream', 80, 32767, '-Infinity', '-Infinity', '00:00', NULL, NULL, NULL),
 (1004, 4, 'eu-west-3', 'https://lumen.example/vision', NULL, NULL, 3.4028235e38, 1.7976931348623157e308, NULL, NULL, '2000-01-01', '2000-01-01 00:00:00+00'),
 (1005, 5, 'ap-southeast-2', 'https://kiwi.example/asr?lang=en&fmt=json', 1, 0, 1.1, 0.1, '12:00', '12:00+12', '1999-12-31 23:59:59.5', '1999-12-31 23:59:59.5+00'),
 (1006, 7, 'ap-northeast-1', 'https://sakura.example/チャット', 65535, 1, 1.2e-38, 2.2250738585072014e-308, NULL, NULL, NULL, NULL),
 (1007, 8, 'eu-central-1', 'https://quote.example/''); DROP TABLE models; --', 0, 0, 0, 6.02214076e23, NULL, NULL, NULL, NULL);
INSERT INTO endpoints (model_id, region, url, port, latency_ms, uptime, score, last_checked, last_checked_tz)
SELECT 1 + g % 8, (ARRAY['us-east-1', 'eu-west-1', 'ap-south-1', 'sa-east-1'])[1 + g % 4], 'https://replica-' || g || '.example/v1',
       CASE WHEN g % 5 = 0 THEN NULL ELSE 1000 + g END, g * 3 % 500, 90 + (g % 100) / 10.0, g / 7.0,
       timestamp '2024-01-01' + g * interval '3607 seconds', timestamptz '2024-01-01 00:00:00+00' + g * interval '3607.25 seconds'
FROM generate_series(1, 120) AS g;
SELECT setval('endpoints_id_seq', 1007);

INSERT INTO prices SELECT id, 'USD', '1m_tokens', 0.15 + (id % 50) * 0.3333333333, NULL, '2024-01-01' FROM endpoints;
INSERT INTO prices SELECT id, 'EUR', '1k_tokens', (id % 13) / 1000.0, ('0.' || repeat((id % 10)::text, 25))::numeric, '2024-06-01' FROM endpoints WHERE id % 3 = 0;
INSERT INTO prices VALUES
 (1000, 'USD', 'image', 9999999999.9999999999, 123456789012345678901234567890.123456789012345678901234567890, '2023-01-01'),
 (1001, 'CHF', 'second', 0.0000000001, -0.000000000000000000000000000001, '2023-01-01'),
 (1002, 'JPY', 'second', -9999999999.9999999999, 1e100, '2023-01-01');

INSERT INTO numbers VALUES
 (1, -32768, -2147483648, -9223372036854775808, -99999999999999999999999999999999999999.999999999999999999999999, -99999999999999999999.99999999999999999999, -999.99, -3.4028235e38, -1.7976931348623157e308, false),
 (2, 32767, 2147483647, 9223372036854775807, 99999999999999999999999999999999999999.999999999999999999999999, 99999999999999999999.99999999999999999999, 999.99, 3.4028235e38, 1.7976931348623157e308, true),
 (3, 0, 0, 0, 0, 0, 0, 0, 0, false),
 (4, 1, 1, 1, 3.14159265358979323846264338327950288419716939937510, 0.1, 0.1, 1.1, 0.30000000000000004, true),
 (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (6, -1, -1, 1234567890123456789, 12345678901234567890, 123456789012345.12345, 1.5, 'NaN', 'NaN', NULL),
 (7, 2, 2, 2, 1e-30, 1e-20, 0, 'Infinity', '-Infinity', false),
 (8, 3, 3, 3, 123456789012345, 10000000000000000000, -0.01, 1.2e-38, 4.9406564584124654e-324, true);
SQL
}

postgres_catalog_values() {
	local i=1 s h
	for s in "${HOSTILE[@]}"; do
		h=$(hex_of "$s")
		echo "INSERT INTO notes VALUES ($i, convert_from('\\x$h'::bytea, 'UTF8'), left(convert_from('\\x$h'::bytea, 'UTF8'), 255), NULL, ARRAY[convert_from('\\x$h'::bytea, 'UTF8'), NULL]);"
		i=$((i + 1))
	done
	echo "INSERT INTO notes VALUES (100, NULL, NULL, 'pad', NULL), (101, '', '', '', '{}');"
	i=1
	for n in "${BLOB_SIZES[@]}"; do
		h=$(random_hex "$n" "$i")
		echo "INSERT INTO blobs VALUES ($i, '\\x$h', '\\x${h:0:32}');"
		i=$((i + 1))
	done
	echo "INSERT INTO blobs VALUES (100, '\\x$(awk 'BEGIN { for (i = 0; i < 256; i++) printf "%02x", i }')', ''), (101, NULL, NULL);"
	printf "INSERT INTO documents (id, model_id, title, body) VALUES (1, 1, 'the 1 MiB card', '"
	cat "$RUN/big.txt"
	echo "');"
	echo "INSERT INTO documents (id, model_id, title, body) VALUES (2, NULL, 'empty', ''), (3, 7, 'short', 'see the card');"
	echo "SELECT setval('documents_id_seq', 3);"
	cat "$RUN/geonames.sql"
	echo "INSERT INTO billing.invoices (provider_id, amount, paid, issued) SELECT 1 + g % 6, g * 123.45, g % 2 = 0, date '2024-01-01' + g FROM generate_series(1, 25) AS g;"
	echo "UPDATE models SET name = 'nw-chat-large-v2' WHERE id = 1;"
}

pgsql -c "CREATE DATABASE catalog ENCODING 'UTF8' TEMPLATE template0"
postgres_catalog | pgsql -d catalog >/dev/null
postgres_catalog_values | pgsql -d catalog >/dev/null

# --- dumps -------------------------------------------------------------------------------------

dump_mysql() { # NAME FLAGS...
	local name=$1
	shift
	mariadb-dump --no-defaults --socket="$MARIADB_SOCKET" -uroot --max-allowed-packet=64M "$@" >"$RUN/dumps/$name"
	echo "mariadb-dump $* > $name" >>"$RUN/commands"
}
dump_pg() { # TOOL NAME FLAGS...
	local tool=$1 name=$2
	shift 2
	"$tool" -h "$PG_SOCKDIR" -p "$PG_PORT" -U postgres "$@" >"$RUN/dumps/$name"
	echo "$tool${*:+ $*} > $name" >>"$RUN/commands"
}
: >"$RUN/commands"
mkdir -p "$RUN/dumps"
dump_mysql mysql-default.sql catalog
dump_mysql mysql-skip-extended.sql --skip-extended-insert --routines --events catalog
dump_mysql mysql-complete-insert.sql --complete-insert --routines catalog
dump_mysql mysql-hex-blob.sql --hex-blob --routines --events catalog
dump_mysql mysql-compact.sql --compact --skip-extended-insert --insert-ignore catalog
dump_mysql mysql-replace.sql --replace --skip-triggers --skip-add-drop-table catalog
dump_mysql mysql-schema.sql --no-data --routines --events catalog
dump_mysql mysql-data.sql --no-create-info --skip-triggers catalog
dump_mysql mysql-databases.sql --databases catalog billing --routines --events
dump_pg pg_dump pg-default.sql catalog
dump_pg pg_dump pg-inserts.sql --inserts catalog
dump_pg pg_dump pg-column-inserts.sql --column-inserts catalog
dump_pg pg_dump pg-schema.sql --schema-only catalog
dump_pg pg_dump pg-data.sql --data-only catalog
dump_pg pg_dumpall pg-dumpall.sql

# --- SQLite ----------------------------------------------------------------------------------

sqlite_source() {
	cat <<'SQL'
PRAGMA foreign_keys = ON;
CREATE TABLE providers (id INTEGER PRIMARY KEY AUTOINCREMENT, slug TEXT NOT NULL UNIQUE, name TEXT, founded INTEGER, rating REAL);
CREATE TABLE models (
  id INTEGER PRIMARY KEY,
  provider_id INTEGER REFERENCES providers (id),
  name TEXT NOT NULL,
  params REAL,
  weights BLOB,
  notes TEXT,
  anything
);
CREATE INDEX models_provider ON models (provider_id, name);
CREATE VIEW model_names AS SELECT p.slug, m.name FROM models m JOIN providers p ON p.id = m.provider_id;
CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, model_id INTEGER, old_name TEXT);
CREATE TRIGGER models_audit AFTER UPDATE OF name ON models BEGIN
  INSERT INTO audit (model_id, old_name) VALUES (old.id, old.name);
END;
INSERT INTO providers (slug, name, founded, rating) VALUES
 ('northwind-ai', 'Northwind AI', 2016, 4.5),
 ('lumen-labs', 'Lumen Labs', 2019, 1e999),
 ('kiwi-compute', NULL, -9223372036854775808, -1e999),
 ('zurich-ml', 'Zürich ML', 9223372036854775807, 0.1),
 ('quote-co', 'O''Brien; -- /* "Sons" \', NULL, 2.2250738585072014e-308);
DELETE FROM providers WHERE slug = 'kiwi-compute';
INSERT INTO providers (slug, name) VALUES ('sakura-models', 'さくら 🌸');
INSERT INTO models VALUES
 (1, 1, 'nw-chat-large', 175.0, X'00010203', 'line one' || char(10) || 'line two', 42),
 (2, 1, 'nw-embed', 0.35, X'', 'carriage' || char(13) || 'return' || char(13, 10) || 'crlf', 'text in an untyped column'),
 (3, 2, 'lumen-7b', 7.241, X'001a275c0a0d22ff', 'tab' || char(9) || 'and backslash \ and quote '' and \N', 3.5),
 (4, 4, 'zml-tiny', NULL, NULL, NULL, X'cafe'),
 (5, 5, 'さくら-chat', 1e999, X'f09f8cb8', '', NULL),
 (6, 6, 'quote''s "model"', -0.0001, X'ffffffffffffffff', 'ends with a newline' || char(10), -9223372036854775808),
 (7, 1, 'big-card', 1.7976931348623157e308, zeroblob(0), replace(hex(zeroblob(2000)), '00', 'ab' || char(10)), 1e999);
UPDATE models SET name = 'nw-chat-large-v2' WHERE id = 1;
SQL
}
sqlite_source | sqlite3 "$RUN/source.sqlite"
sqlite3 "$RUN/source.sqlite" .dump >"$RUN/dumps/sqlite.sql"
echo "sqlite3 source.sqlite .dump > sqlite.sql" >>"$RUN/commands"

# --- expectations ------------------------------------------------------------------------------
# An .expect file lists, per table of the source (its name in amber's database):
#   table NAME
#   column NAME CLASS [SQLITE-EXPR]    CLASS as tests/tools/rowsum takes it; SQLITE-EXPR, when
#                                      given, is what the test selects on the SQLite side
#   rows N
#   sum HEX                            N lines, sorted: rowsum's checksum of every row
#   end
# and per view of the source: view NAME rows N.

# The class of a MariaDB column and the expression that prints it, from information_schema.
mariadb_columns() { # DB TABLE
	mdb -N -B -r -e "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = '$1' AND TABLE_NAME = '$2' ORDER BY ORDINAL_POSITION"
}
mariadb_class() { # DATA_TYPE COLUMN_TYPE
	case $1 in
	bigint) case $2 in *unsigned*) echo x ;; *) echo i ;; esac ;;
	tinyint | smallint | mediumint | int | year | bit) echo i ;;
	decimal) echo x ;;
	float | double) echo f ;;
	tinyblob | blob | mediumblob | longblob | binary | varbinary) echo b ;;
	*) echo t ;;
	esac
}
mariadb_expr() { # CLASS COLUMN DATA_TYPE
	local c="\`$2\`"
	case $1 in
	i) [ "$3" = bit ] && echo "$c+0" || echo "$c" ;;
	x | f) echo "$c" ;;
	b) echo "HEX($c)" ;;
	t) echo "HEX(CONVERT($c USING utf8mb4))" ;;
	esac
}
expect_table_rows() { # CLASSES LABEL: prints rows/sum lines from TSV on stdin
	local classes=$1 label=$2 sums
	cat >"$RUN/rows.tsv"
	sums=$("$ROWSUM" "$classes" <"$RUN/rows.tsv") || die "rowsum failed on the source rows of $label"
	if [ -n "$CANON_DIR" ]; then
		"$ROWSUM" -c "$classes" <"$RUN/rows.tsv" >"$CANON_DIR/$label.rows"
	fi
	if [ -z "$sums" ]; then
		echo "rows 0"
	else
		echo "rows $(printf '%s\n' "$sums" | wc -l)"
		printf '%s\n' "$sums" | sed 's/^/sum /'
	fi
}
expect_mariadb() { # DB OUTFILE
	local db=$1 out=$2 t col dtype ctype cls classes exprs
	{
		echo "# source: MariaDB $(mdb -N -B -e 'SELECT VERSION()'), database $db"
		for t in $(mdb -N -B -e "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$db' AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME"); do
			echo "table $t"
			classes="" exprs=""
			while IFS=$'\t' read -r col dtype ctype; do
				cls=$(mariadb_class "$dtype" "$ctype")
				echo "column $col $cls"
				classes+=$cls
				exprs+="${exprs:+, }IFNULL($(mariadb_expr "$cls" "$col" "$dtype"), '\\\\N')"
			done < <(mariadb_columns "$db" "$t")
			mdb -N -B -r "$db" -e "SET time_zone = '+00:00'; SELECT $exprs FROM \`$t\`" | expect_table_rows "$classes" "$db.$t"
			echo "end"
		done
		for t in $(mdb -N -B -e "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$db' AND TABLE_TYPE = 'VIEW' ORDER BY TABLE_NAME"); do
			echo "view $t rows $(mdb -N -B "$db" -e "SELECT COUNT(*) FROM \`$t\`")"
		done
	} >"$out"
}

pg_class() { # DATA_TYPE UDT_NAME
	case $1 in
	smallint | integer | bigint | boolean) echo i ;;
	numeric) echo x ;;
	real | "double precision") echo f ;;
	bytea) echo b ;;
	*) echo t ;;
	esac
}
pg_expr() { # CLASS COLUMN DATA_TYPE
	local c="\"$2\""
	case $1 in
	i) [ "$3" = boolean ] && echo "$c::int::text" || echo "$c::text" ;;
	x | f) echo "$c::text" ;;
	b) echo "encode($c, 'hex')" ;;
	t)
		case $3 in
		ARRAY) echo "encode(convert_to(array_to_json($c)::text, 'UTF8'), 'hex')" ;;
		character) echo "encode(bpcharsend($c), 'hex')" ;;
		*) echo "encode(convert_to($c::text, 'UTF8'), 'hex')" ;;
		esac
		;;
	esac
}
expect_postgres() { # DB OUTFILE
	local db=$1 out=$2 schema t name col dtype cls classes exprs
	{
		echo "# source: $(pgsql -d "$db" -At -c 'SELECT version()' | cut -d, -f1), database $db"
		while IFS='|' read -r schema t; do
			name=$t
			[ "$schema" = public ] || name=${schema}_$t
			echo "table $name"
			classes="" exprs=""
			while IFS='|' read -r col dtype; do
				cls=$(pg_class "$dtype")
				echo "column $col $cls"
				classes+=$cls
				exprs+="${exprs:+, }$(pg_expr "$cls" "$col" "$dtype")"
			done < <(pgsql -d "$db" -At -c "SELECT column_name, data_type FROM information_schema.columns
				WHERE table_schema = '$schema' AND table_name = '$t' ORDER BY ordinal_position")
			PGOPTIONS='-c TimeZone=UTC -c DateStyle=ISO -c extra_float_digits=3' \
				pgsql -d "$db" -c "COPY (SELECT $exprs FROM \"$schema\".\"$t\") TO STDOUT" | expect_table_rows "$classes" "pg$db.$name"
			echo "end"
		done < <(pgsql -d "$db" -At -c "SELECT table_schema, table_name FROM information_schema.tables
			WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2")
		while IFS='|' read -r schema t; do
			echo "view $t rows $(pgsql -d "$db" -At -c "SELECT count(*) FROM \"$schema\".\"$t\"")"
		done < <(pgsql -d "$db" -At -c "SELECT table_schema, table_name FROM information_schema.views
			WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2")
	} >"$out"
}

# SQLite: typed columns by their declared type; untyped ones (and sqlite_sequence) as
# "type:value" text, so that the storage class itself is compared.
sqlite_any_expr() { echo "typeof(\"$1\") || ':' || CASE typeof(\"$1\") WHEN 'real' THEN hex(ieee754_to_blob(\"$1\")) ELSE hex(\"$1\") END"; }
expect_sqlite() { # DBFILE OUTFILE
	local db=$1 out=$2 t col type cls classes exprs e
	{
		echo "# source: SQLite $(sqlite3 --version | cut -d' ' -f1), $(basename "$db")"
		for t in $(sqlite3 "$db" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"); do
			echo "table $t"
			classes="" exprs=""
			while IFS='|' read -r col type; do
				case ${type^^} in
				INTEGER) cls=i e="CASE typeof(\"$col\") WHEN 'integer' THEN \"$col\" WHEN 'null' THEN NULL ELSE '?' END" ;;
				REAL) cls=f e="CASE typeof(\"$col\") WHEN 'real' THEN '0x' || hex(ieee754_to_blob(\"$col\")) WHEN 'null' THEN NULL ELSE '?' END" ;;
				TEXT) cls=t e="CASE typeof(\"$col\") WHEN 'text' THEN hex(\"$col\") WHEN 'null' THEN NULL ELSE '?' END" ;;
				BLOB) cls=b e="CASE typeof(\"$col\") WHEN 'blob' THEN hex(\"$col\") WHEN 'null' THEN NULL ELSE '?' END" ;;
				*) cls=v e=$(sqlite_any_expr "$col") ;;
				esac
				if [ $cls = v ]; then echo "column $col v $e"; else echo "column $col $cls"; fi
				classes+=$cls
				exprs+="${exprs:+, }$e"
			done < <(sqlite3 "$db" "SELECT name, type FROM pragma_table_info('$t')")
			sqlite3 -separator $'\t' -nullvalue '\N' "$db" "SELECT $exprs FROM \"$t\"" | expect_table_rows "$classes" "sqlite.$t"
			echo "end"
		done
		for t in $(sqlite3 "$db" "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name"); do
			echo "view $t rows $(sqlite3 "$db" "SELECT count(*) FROM \"$t\"")"
		done
	} >"$out"
}

expect_mariadb catalog "$OUT/catalog.expect"
expect_mariadb billing "$OUT/billing.expect"
expect_postgres catalog "$OUT/pgcatalog.expect"
expect_sqlite "$RUN/source.sqlite" "$OUT/sqlite.expect"

# --- the catalog sample (issue 6) --------------------------------------------------------------
mariadb-dump --no-defaults --socket="$MARIADB_SOCKET" -uroot mlcatalog >"$SAMPLE_DIR/catalog.sql"
expect_mariadb mlcatalog "$OUT/mlcatalog.expect"

# --- the README of the fixtures: what each file is and exactly how it was made ------------------
write_readme() {
	cat <<'EOF'
# SQL dump fixtures

Dumps made by the real tools from source databases that scripts/make-fixtures.sh creates, and
the expectations recorded from those sources. tests/e2e/test_dumps.sh converts every dump
with `amber convert` and compares every table with its source, row by row. This file is
written by the script; regenerate everything with `scripts/make-fixtures.sh` (it installs
MariaDB and PostgreSQL from Debian when missing, runs private servers on loopback and stops
them by PID). The data is invented, except the `geoname` tables: the first 1,000 rows of
samples/geonames/cities500-extract.txt, from GeoNames (https://www.geonames.org/), CC BY 4.0.

## Sources

- MariaDB database `catalog` (→ `catalog.expect`): an ML-API catalog (providers, models,
  endpoints, prices, tags, model_tags) with every column type of issue 5 (tinyint(1)/BOOL,
  every int size signed and UNSIGNED, BIGINT UNSIGNED 18446744073709551615, ZEROFILL, DECIMAL
  up to 65 digits, FLOAT, DOUBLE, the text and blob families, BINARY/VARBINARY, BIT, ENUM,
  SET, JSON, DATE/TIME/DATETIME(6)/TIMESTAMP/YEAR with zero and invalid dates),
  AUTO_INCREMENT, DEFAULT, ON UPDATE CURRENT_TIMESTAMP, COMMENT, latin1 and ascii columns,
  VIRTUAL and STORED generated columns, KEY/UNIQUE KEY/FULLTEXT KEY, foreign keys, a portable
  view (`model_endpoints`) and a MySQL-only one (`provider_labels`), a trigger, a procedure,
  a function and an event; tables `numbers` and `temporal` at the limits of each type,
  `notes` with hostile strings (`');`, `\'`, `/*`, `--`, `\N`, `\.`, tab, CR, LF, a trailing
  backslash, emoji, 0x1a, a NUL byte), `blobs` with pseudo-random bytes that always hold
  00 1a 27 5c, `documents` with a 1 MiB text, `geoname` (1,000 GeoNames rows), and NULLs in
  every nullable column.
- MariaDB database `mlcatalog` (→ `mlcatalog.expect`): the core catalog tables alone, dumped
  with default flags as samples/catalog/catalog.sql.
- MariaDB database `billing` (→ `billing.expect`): the second database of the `--databases`
  dump. Its table `tags` has the name of a `catalog` table, so loading both is an error.
- PostgreSQL database `catalog` (→ `pgcatalog.expect`): the same catalog in PostgreSQL types
  (serial, bigserial, identity, every int, numeric beyond 15 digits and unconstrained, real
  and double with NaN and ±Infinity, text/varchar/char, boolean, bytea, date, time, timetz,
  timestamp incl. BC, timestamptz, uuid, json, jsonb, int[] and text[] with NULLs, quotes,
  commas and braces, an enum type), a second schema `billing` (its table is
  `billing_invoices` in amber's database) with its own sequence, COMMENT ON, a role and
  GRANTs, a plpgsql trigger function with a `$$` body and an SQL function with a `$fn$` body,
  a trigger, a view and btree indexes.
- SQLite database built with the sqlite3 CLI (→ `sqlite.expect`): AUTOINCREMENT (so
  `sqlite_sequence`), blobs, text with LF and CR, Infinity (which .dump writes as 1e999), an
  untyped column holding every storage class, an index, a view and a trigger.

## Expectations (`*.expect`)

Recorded from the source server itself. Per table (by its name in amber's database):

    table NAME
    column NAME CLASS [SQLITE-EXPR]
    rows N
    sum HEX            (N lines, sorted)
    end

and per view `view NAME rows N`. Each `sum` is tests/tools/rowsum's checksum of one row in a
canonical form. CLASS is rowsum's class of the column:

- `i` integer: every int type, BOOL, BIT (as `col+0`), YEAR, boolean (as 1/0);
- `x` exact number: DECIMAL/NUMERIC and BIGINT UNSIGNED, compared as a double when it has
  at most 15 significant digits, else digit for digit;
- `f` float: FLOAT/DOUBLE/real, the double bit for bit; NaN compares as NULL, because
  SQLite stores a NaN as NULL;
- `t` text: hex of the UTF-8 bytes of every character, date, time, enum, set, JSON and uuid
  type as the dump tool writes it; PostgreSQL arrays as `array_to_json(col)` prints them;
- `b` bytes: hex of blobs, BINARY, VARBINARY, bytea;
- `v` verbatim through SQLITE-EXPR (SQLite's untyped columns, as `typeof:hex`).

The source side prints values the way its dump tool writes them. MariaDB:
`HEX(CONVERT(col USING utf8mb4))` for text, `HEX(col)` for bytes, session time zone +00:00
(mariadb-dump's default `--tz-utc`). PostgreSQL: `encode(convert_to(col::text, 'UTF8'),
'hex')` (`bpcharsend` for char(n), which keeps the padding pg_dump writes), `encode(col,
'hex')`, TimeZone UTC, DateStyle ISO, extra_float_digits 3 (as pg_dump sets it). The test
prints the SQLite side with `hex(col)`, and with `hex(ieee754_to_blob(col))` for REALs, and
requires each class's storage class (integer; integer, real or text; real; text; blob).
`scripts/make-fixtures.sh --canonical DIR` writes each source table's canonical rows
(`rowsum -c`) to DIR, to find which field of a row amber got wrong.

## The dumps

Dumps over 64 KiB are stored zstd-compressed (`zstd -19`); amber reads `.zst` directly.
`mysql-schema.sql` + `mysql-data.sql` and `pg-schema.sql` + `pg-data.sql` are pairs, loaded
as two inputs in order. Tool versions and the exact commands; left out are the connection
flags (mariadb-dump `--no-defaults --socket=PRIVATE -uroot --max-allowed-packet=64M`,
pg_dump and pg_dumpall `-h SOCKETDIR -p PORT -U postgres`):

EOF
	echo '```'
	mariadb-dump --version
	pg_dump --version
	pg_dumpall --version
	echo "sqlite3 $(sqlite3 --version | cut -d' ' -f1-2)"
	zstd --version
	echo
	cat "$RUN/commands"
	echo '```'
}

# --- store ----------------------------------------------------------------------------------------
for f in "$RUN"/dumps/*.sql; do
	name=$(basename "$f")
	if [ "$(wc -c <"$f")" -gt $COMPRESS_OVER ]; then
		zstd -q -19 -f "$f" -o "$OUT/$name.zst"
	else
		cp "$f" "$OUT/$name"
	fi
done
write_readme >"$OUT/README.md"
echo "make-fixtures: wrote $(ls "$OUT" | wc -l) files to $OUT ($(du -sh "$OUT" | cut -f1)) and $SAMPLE_DIR/catalog.sql" >&2
