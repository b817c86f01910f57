-- A region, if it lies inside the caller's scope.
SELECT r.* FROM region r
JOIN region_closure c ON c.descendant = r.adcode AND c.ancestor = $scope
WHERE r.adcode = $adcode
