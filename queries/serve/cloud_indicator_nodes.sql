-- One cloud indicator at its latest period up to $period, for $adcode and for
-- the regions below it that host a cloud node (the node-level figure the
-- snapshot keeps, e.g. PUE from daily energy): `is_total` marks $adcode.
WITH p AS (
    SELECT adcode, period, value, num, den FROM indicator_value
    WHERE indicator = $indicator AND adcode = $adcode AND period <= $period
      AND (next_period > $period OR next_period IS NULL)
),
v AS (
    SELECT * FROM p
    UNION ALL
    SELECT c.adcode, c.period, c.value, c.num, c.den
    FROM cloud_region_value c
    JOIN p ON c.period = p.period
    WHERE c.indicator = $indicator AND c.adcode <> $adcode
)
SELECT r.adcode, r.name, r.level, v.adcode = $adcode AS is_total, v.period, v.value, v.num, v.den
FROM v
JOIN region r ON r.adcode = v.adcode
JOIN region_closure s ON s.descendant = v.adcode AND s.ancestor = $scope
JOIN region_closure h ON h.descendant = v.adcode AND h.ancestor = $adcode
ORDER BY is_total DESC, v.value DESC, r.adcode
