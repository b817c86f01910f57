-- Each query returns the problems it finds; an empty result means pass.
-- No LIMIT here: the caller fetches the first 20. With DuckDB 2.0.0 a LIMIT over a
-- join with a materialized CTE (one referenced twice) hangs when the result is
-- empty, which is exactly the passing case.
-- name: missing_indicators
SELECT i.id AS problem FROM indicator i
WHERE NOT EXISTS (SELECT 1 FROM indicator_value v WHERE v.indicator = i.id AND v.adcode = $root);
-- name: non_finite
SELECT indicator || ' @ ' || adcode || ' ' || period AS problem FROM indicator_value WHERE NOT isfinite(value);
-- name: rollup_mismatch
-- Recomputes every additive value one level at a time (own leaf rows plus the
-- children's values) and compares it with the closure-based rollup.
WITH additive_value AS (
    SELECT v.measure, v.adcode, v.period, v.value
    FROM measure_value v JOIN measure m ON m.id = v.measure AND m.additive
),
parts AS (
    SELECT l.measure, l.adcode, l.period, l.value
    FROM leaf_measure l JOIN measure m ON m.id = l.measure AND m.additive
    UNION ALL
    SELECT v.measure, r.parent AS adcode, v.period, v.value
    FROM additive_value v JOIN region r ON r.adcode = v.adcode
    WHERE r.parent IS NOT NULL
),
expected AS (
    SELECT measure, adcode, period, sum(value) AS value FROM parts GROUP BY measure, adcode, period
)
SELECT coalesce(p.measure, e.measure) || ' @ ' || coalesce(p.adcode, e.adcode) || ' ' ||
       coalesce(p.period, e.period) || ': ' || coalesce(p.value::VARCHAR, 'missing') || ' <> ' ||
       coalesce(e.value::VARCHAR, 'missing') AS problem
FROM additive_value p
FULL OUTER JOIN expected e
  ON e.measure = p.measure AND e.adcode = p.adcode AND e.period = p.period
WHERE p.value IS NULL OR e.value IS NULL
   OR abs(p.value - e.value) > 1e-6 * greatest(1, abs(p.value));
-- name: region_count
SELECT 'region table has ' || count(*) || ' rows, geography has ' || $region_rows AS problem
FROM region HAVING count(*) <> $region_rows;
