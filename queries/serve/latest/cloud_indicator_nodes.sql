-- cloud_indicator_nodes at the snapshot's instant: $adcode's latest row and
-- its node-hosting regions' rows at that period, as the build found them
-- (cloud_indicator_nodes_latest).
SELECT r.adcode, r.name, r.level, v.adcode = $adcode AS is_total, v.period, v.value, v.num, v.den
FROM cloud_indicator_nodes_latest v
JOIN region r ON r.adcode = v.adcode
JOIN region_closure s ON s.descendant = v.adcode AND s.ancestor = $scope
WHERE v.asked = $adcode AND v.indicator = $indicator
ORDER BY is_total DESC, v.value DESC, r.adcode
