-- vCPU, memory and storage of the nodes in $adcode's subtree (inside the
-- scope): installed total, allocated to tenants and in use, at the latest hour
-- up to $period. Totals count every node; allocation and use only the nodes
-- that reported in that hour (`reporting` says how many). The closure row
-- linking $scope and $adcode names the deeper of the two: its rows cover
-- exactly the nodes inside both.
SELECT c.resource, c.unit, c.total, c.allocated, c.used, c.allocated_pct, c.used_pct,
       c.nodes, c.reporting, c.hour
FROM cloud_region_capacity c
JOIN region_closure v ON v.descendant = c.adcode
 AND ((v.ancestor = $scope AND v.descendant = $adcode) OR (v.ancestor = $adcode AND v.descendant = $scope))
WHERE (c.hour <= $period OR c.hour IS NULL) AND (c.next_hour > $period OR c.next_hour IS NULL)
ORDER BY c.ord
