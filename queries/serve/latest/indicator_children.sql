-- indicator_children at the snapshot's instant: the children's values at
-- $adcode's latest period, as the build found them (indicator_children_latest).
SELECT r.adcode, r.name, r.level, r.lon, r.lat, r.is_leaf, c.value, c.num, c.den, c.period
FROM region r
JOIN region_closure s ON s.descendant = r.adcode AND s.ancestor = $scope
LEFT JOIN indicator_children_latest c
       ON c.parent = $adcode AND c.indicator = $indicator AND c.adcode = r.adcode
WHERE r.parent = $adcode
ORDER BY c.value DESC NULLS LAST, r.adcode
