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
-- name: serving_totals
-- The serving tables (65_serving.sql) summed at the root against the detail
-- tables they were built from: a precomputation that drifted from its source
-- fails the build instead of serving other numbers than the details show.
WITH totals AS (
    SELECT 'sharing_region_daily calls' AS what,
           (SELECT sum(calls) FROM sharing_region_daily WHERE adcode = $root) AS served,
           (SELECT sum(f.calls) FROM sharing_flow f
            JOIN region_closure c ON c.descendant = f.consumer_adcode AND c.ancestor = $root) AS detail
    UNION ALL
    SELECT 'sharing_node_daily calls',
           (SELECT sum(calls) FROM sharing_node_daily WHERE adcode = $root),
           (SELECT sum(f.calls) FROM sharing_flow f
            JOIN region_closure p ON p.descendant = f.provider_adcode AND p.ancestor = $root
            JOIN region_closure c ON c.descendant = f.consumer_adcode AND c.ancestor = $root)
    UNION ALL
    SELECT 'work_order_daily orders',
           (SELECT sum(orders) FROM work_order_daily WHERE adcode = $root),
           (SELECT count(*) FROM work_order w
            JOIN region_closure c ON c.descendant = w.adcode AND c.ancestor = $root
            WHERE w.created_at > CAST($as_of AS TIMESTAMP) - INTERVAL 90 DAY)
    UNION ALL
    SELECT 'cloud_region_hourly nodes',
           (SELECT sum(nodes) FROM cloud_region_hourly WHERE adcode = $root),
           (SELECT count(*) FROM cloud_node_hourly h JOIN cloud_node n USING (node_id)
            JOIN region_closure c ON c.descendant = n.adcode AND c.ancestor = $root)
    UNION ALL
    SELECT 'indicator_value rows out of period order', count(*), 0
    FROM indicator_value WHERE next_period <= period
)
SELECT what || ': ' || coalesce(served::VARCHAR, 'none') || ' <> ' || coalesce(detail::VARCHAR, 'none') AS problem
FROM totals
WHERE served IS DISTINCT FROM detail AND NOT (served IS NULL AND detail = 0);
