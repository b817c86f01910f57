-- Open alerts in $adcode's subtree (inside the scope), most severe and oldest first.
SELECT a.*, r.name AS region_name, r.level AS region_level
FROM alert a
JOIN region_closure c ON c.descendant = a.adcode AND c.ancestor = $scope
JOIN region_closure h ON h.descendant = a.adcode AND h.ancestor = $adcode
JOIN region r ON r.adcode = a.adcode
WHERE a.state = 'open'
ORDER BY CASE a.level WHEN 'alarm' THEN 0 ELSE 1 END, a.since
