-- The base of the node topology map: the regions one level below the scope
-- root (the cities, for a provincial scope), flagged when they lie on $adcode's
-- path (the region itself, a region inside it, or the one containing it), with
-- the extent of their own and their descendants' centroids: the map frames
-- that box (plotly's fitbounds would letterbox it into a square frame).
SELECT r.adcode, r.name, r.level,
       EXISTS (SELECT 1 FROM region_closure h
               WHERE (h.ancestor = $adcode AND h.descendant = r.adcode)
                  OR (h.ancestor = r.adcode AND h.descendant = $adcode)) AS in_view,
       min(d.lon) AS min_lon, max(d.lon) AS max_lon, min(d.lat) AS min_lat, max(d.lat) AS max_lat
FROM region r
JOIN region_closure s ON s.descendant = r.adcode AND s.ancestor = $scope AND s.distance = 1
JOIN region_closure c ON c.ancestor = r.adcode
JOIN region d ON d.adcode = c.descendant
GROUP BY r.adcode, r.name, r.level
ORDER BY r.adcode
