-- leaf_measure (filled from queries/measures/*.sql) -> measure_value at every level.
-- Additive measures: a region's value is its own rows plus all descendants'.
-- Non-additive measures are taken only where the source gives them.
CREATE TEMP TABLE measure_value AS
SELECT l.measure, c.ancestor AS adcode, l.period, sum(l.value) AS value
FROM leaf_measure l
JOIN measure m ON m.id = l.measure AND m.additive
JOIN region_closure c ON c.descendant = l.adcode
GROUP BY ALL
UNION ALL
SELECT l.measure, l.adcode, l.period, l.value
FROM leaf_measure l JOIN measure m ON m.id = l.measure AND NOT m.additive;
