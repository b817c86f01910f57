-- The base of the node topology map: the regions one level below the scope
-- root (the cities, for a provincial scope), flagged when they lie on $adcode's
-- path (the region itself, a region inside it, or the one containing it), with
-- the extent of their own and their descendants' centroids: the map frames
-- that box (plotly's fitbounds would letterbox it into a square frame).
SELECT r.adcode, r.name, r.level,
       a.ancestor IS NOT NULL OR b.ancestor IS NOT NULL AS in_view,
       e.min_lon, e.max_lon, e.min_lat, e.max_lat
FROM region r
JOIN region_closure s ON s.descendant = r.adcode AND s.ancestor = $scope AND s.distance = 1
JOIN region_extent e ON e.adcode = r.adcode
LEFT JOIN region_closure a ON a.ancestor = $adcode AND a.descendant = r.adcode
LEFT JOIN region_closure b ON b.ancestor = r.adcode AND b.descendant = $adcode
ORDER BY r.adcode
