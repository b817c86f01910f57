-- The county-level regions of $adcode's subtree (itself when it is a county),
-- inside the scope: the neutral base layer under the event points.
SELECT r.adcode, r.name, r.lon, r.lat
FROM region r
JOIN region_closure s ON s.descendant = r.adcode AND s.ancestor = $scope
JOIN region_closure h ON h.descendant = r.adcode AND h.ancestor = $adcode
WHERE r.level = 'county'
ORDER BY r.adcode
