-- One cloud indicator at its latest period up to $period, for $adcode and for
-- the regions below it that host a cloud node (the node-level figure the
-- snapshot keeps, e.g. PUE from daily energy): `is_total` marks $adcode.
WITH p AS (
    SELECT max(period) AS period FROM indicator_value
    WHERE indicator = $indicator AND adcode = $adcode AND period <= $period
)
SELECT r.adcode, r.name, r.level, v.adcode = $adcode AS is_total, v.period, v.value, v.num, v.den
FROM indicator_value v
JOIN region r ON r.adcode = v.adcode
JOIN region_closure s ON s.descendant = v.adcode AND s.ancestor = $scope
JOIN region_closure h ON h.descendant = v.adcode AND h.ancestor = $adcode
WHERE v.indicator = $indicator AND v.period = (SELECT period FROM p)
  AND (v.adcode = $adcode OR v.adcode IN (SELECT adcode FROM cloud_node))
ORDER BY is_total DESC, v.value DESC, r.adcode
