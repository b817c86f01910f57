-- One indicator for every region one level below $adcode, at the latest period
-- (up to $period) that $adcode itself has: the map and the ranking. The
-- children's rows are read by their parent column, one block of the table.
SELECT r.adcode, r.name, r.level, r.lon, r.lat, r.is_leaf, v.value, v.num, v.den, p.period
FROM region r
JOIN region_closure s ON s.descendant = r.adcode AND s.ancestor = $scope
LEFT JOIN indicator_value p
       ON p.indicator = $indicator AND p.adcode = $adcode AND p.period <= $period
      AND (p.next_period > $period OR p.next_period IS NULL)
LEFT JOIN indicator_value v
       ON v.parent = $adcode AND v.indicator = $indicator AND v.adcode = r.adcode AND v.period = p.period
WHERE r.parent = $adcode
ORDER BY v.value DESC NULLS LAST, r.adcode
