-- The regions one level below $adcode, inside the scope.
SELECT r.adcode, r.name, r.level, r.lon, r.lat, r.is_leaf
FROM region r
JOIN region_closure s ON s.descendant = r.adcode AND s.ancestor = $scope
WHERE r.parent = $adcode
ORDER BY r.adcode
