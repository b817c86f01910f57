-- One indicator for every region one level below $adcode, at the latest period
-- (up to $period) that $adcode itself has: the map and the ranking.
WITH p AS (
    SELECT max(period) AS period FROM indicator_value
    WHERE indicator = $indicator AND adcode = $adcode AND period <= $period
)
SELECT r.adcode, r.name, r.level, r.lon, r.lat, r.is_leaf, v.value, v.num, v.den,
       (SELECT period FROM p) AS period
FROM region r
JOIN region_closure s ON s.descendant = r.adcode AND s.ancestor = $scope
LEFT JOIN indicator_value v
       ON v.adcode = r.adcode AND v.indicator = $indicator AND v.period = (SELECT period FROM p)
WHERE r.parent = $adcode
ORDER BY v.value DESC NULLS LAST, r.adcode
