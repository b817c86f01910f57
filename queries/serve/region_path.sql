-- The breadcrumb: $adcode and its ancestors, from the scope root down.
SELECT r.adcode, r.name, r.level, r.depth
FROM region_closure c
JOIN region r ON r.adcode = c.ancestor
JOIN region_closure s ON s.descendant = r.adcode AND s.ancestor = $scope
WHERE c.descendant = $adcode
ORDER BY r.depth
