-- Indicators from measures, by rollup rule (see core/catalog.py). Ratios are
-- recomputed from summed numerator and denominator at every level, never
-- averaged; a zero denominator gives no value rather than NaN.
CREATE TEMP TABLE computed_value (
    indicator VARCHAR, adcode INTEGER, period TIMESTAMP, value DOUBLE, num DOUBLE, den DOUBLE
);

INSERT INTO computed_value
SELECT i.id, v.adcode, v.period, v.value, NULL, NULL
FROM indicator i JOIN measure_value v ON v.measure = i.measure
WHERE i.rollup IN ('sum', 'none');

INSERT INTO computed_value
SELECT i.id, n.adcode, n.period, i.scale * n.value / d.value, n.value, d.value
FROM indicator i
JOIN measure_value n ON n.measure = i.numerator
JOIN measure_value d ON d.measure = i.denominator AND d.adcode = n.adcode AND d.period = n.period
WHERE i.rollup = 'ratio' AND d.value <> 0;

INSERT INTO computed_value
SELECT i.id, cur.adcode, cur.period, 100.0 * (cur.value / prev.value - 1), cur.value, prev.value
FROM indicator i
JOIN measure_value cur ON cur.measure = i.measure
JOIN measure_value prev ON prev.measure = i.measure AND prev.adcode = cur.adcode
     AND prev.period = cur.period - INTERVAL 1 YEAR
WHERE i.rollup = 'growth' AND prev.value <> 0;

INSERT INTO computed_value
SELECT i.id, c.ancestor, m.period, sum(m.value * w.value) / sum(w.value), sum(m.value * w.value), sum(w.value)
FROM indicator i
JOIN leaf_measure m ON m.measure = i.measure
JOIN leaf_measure w ON w.measure = i.weight AND w.adcode = m.adcode AND w.period = m.period
JOIN region_closure c ON c.descendant = m.adcode
WHERE i.rollup = 'mean'
GROUP BY ALL
HAVING sum(w.value) <> 0;

-- The neighbours come from windows, not a self-join, so a period given twice
-- by the sources cannot multiply rows.
INSERT INTO indicator_value
SELECT v.indicator, v.adcode, v.period, v.value, v.num, v.den, r.parent,
       lead(v.period) OVER w AS next_period,
       lag(v.value) OVER w AS previous_value,
       any_value(v.value) OVER (w RANGE BETWEEN INTERVAL 1 YEAR PRECEDING AND INTERVAL 1 YEAR PRECEDING)
           AS year_ago_value
FROM computed_value v
LEFT JOIN region r ON r.adcode = v.adcode
WINDOW w AS (PARTITION BY v.indicator, v.adcode ORDER BY v.period)
ORDER BY r.parent NULLS FIRST, v.adcode, v.indicator, v.period;

DROP TABLE computed_value;
