-- Emergency resources (risk points, hazard sources, warehouses, rescue teams)
-- in $adcode's subtree, inside the scope: the map's point layers.
SELECT x.resource_id, x.kind, x.name, x.subtype, x.grade, x.capacity, x.adcode, r.name AS county,
       x.lon, x.lat, x.updated_at
FROM resource x
JOIN region_closure s ON s.descendant = x.adcode AND s.ancestor = $scope
JOIN region_closure h ON h.descendant = x.adcode AND h.ancestor = $adcode
JOIN region r ON r.adcode = x.adcode
ORDER BY x.kind, x.resource_id
