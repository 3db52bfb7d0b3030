-- Canned queries for the ML-API catalog image (samples/catalog/catalog.sql converted by amber).
-- Served as GET /v1/queries/NAME?param=value; `amber build --queries` checks each one against
-- the database at build time. Parameters arrive as text.

-- name: models_by_provider
-- description: the models of a provider (:provider, its slug such as lumen-labs), newest first
SELECT m.id, m.name, m.family, m.modalities, m.context_tokens, m.params_billion, m.released
FROM models m
JOIN providers p ON p.id = m.provider_id
WHERE p.slug = :provider
ORDER BY m.released DESC, m.id;

-- name: search
-- description: models whose name starts with :prefix (case-sensitive), with their provider
-- char(1114111) is the largest code point: every name with the prefix sorts below it, and
-- unlike LIKE the prefix needs no escaping.
SELECT m.id, m.name, p.name AS provider, m.family, m.context_tokens
FROM models m
JOIN providers p ON p.id = m.provider_id
WHERE m.name >= :prefix AND m.name < :prefix || char(1114111)
ORDER BY m.name
LIMIT 50;

-- name: cheapest_endpoints
-- description: the 20 cheapest endpoints priced in :currency (USD, EUR) per :unit
-- description: (1k_tokens, 1m_tokens, image, second), with their model and region
-- DECIMAL prices are stored exactly (INTEGER, REAL or TEXT): CAST orders them as numbers.
SELECT e.id, e.url, e.region, m.name AS model, pr.price, pr.currency, pr.unit, pr.valid_from
FROM prices pr
JOIN endpoints e ON e.id = pr.endpoint_id
JOIN models m ON m.id = e.model_id
WHERE pr.currency = :currency AND pr.unit = :unit
ORDER BY CAST(pr.price AS REAL), e.id
LIMIT 20;

-- name: models_with_tag
-- description: the models carrying the tag :tag (e.g. chat, code, open-weights)
SELECT m.id, m.name, p.slug AS provider, m.family
FROM tags t
JOIN model_tags mt ON mt.tag_id = t.id
JOIN models m ON m.id = mt.model_id
JOIN providers p ON p.id = m.provider_id
WHERE t.name = :tag
ORDER BY m.name;
