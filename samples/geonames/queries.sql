-- Canned queries for a GeoNames image (table `geoname`, made by `amber build -f geonames`).
-- Served as GET /v1/queries/NAME?param=value; `amber build --queries` checks each one against
-- the database at build time. Parameters arrive as text; SQLite converts them where a number
-- is needed.

-- name: by_country
-- description: the 100 most populous places of a country (:country, an ISO code such as CH)
SELECT geonameid, name, admin1_code, population, latitude, longitude
FROM geoname
WHERE country_code = :country
ORDER BY population DESC, geonameid
LIMIT 100;

-- name: nearest
-- description: the 10 places nearest to :lat, :lon within a box of +/- :d degrees
-- description: (by squared distance in degrees: good enough for small boxes away from the poles)
SELECT geonameid, name, country_code, population, latitude, longitude,
       (latitude - :lat) * (latitude - :lat) + (longitude - :lon) * (longitude - :lon) AS d2
FROM geoname
WHERE latitude BETWEEN :lat - :d AND :lat + :d
  AND longitude BETWEEN :lon - :d AND :lon + :d
ORDER BY d2, geonameid
LIMIT 10;

-- name: search
-- description: places whose name starts with :prefix (case-sensitive), most populous first
-- The range on `name` is what a prefix means in the index's binary order; it uses the name
-- index and, unlike GLOB or LIKE, needs no escaping of wildcards in the prefix.
-- char(1114111) is the largest code point, so every name with the prefix sorts below it.
SELECT geonameid, name, country_code, population, latitude, longitude
FROM geoname
WHERE name >= :prefix AND name < :prefix || char(1114111)
ORDER BY population DESC, geonameid
LIMIT 50;
