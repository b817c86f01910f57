-- Hourly load of the nodes in $adcode's subtree (inside the scope), summed over
-- the nodes, up to $period. Totals count the nodes that reported in the hour,
-- as the vcpu_util indicator does, so a missing node does not read as idle.
-- The closure row linking $scope and $adcode names the deeper of the two: its
-- rows cover exactly the nodes inside both (none when neither contains the other).
SELECT h.hour, h.nodes, h.vcpu_total, h.vcpu_alloc, h.vcpu_used, h.mem_total_gb, h.mem_used_gb,
       h.storage_total_tb, h.storage_used_tb,
       100 * h.vcpu_used / NULLIF(h.vcpu_total, 0) AS vcpu_util,
       100 * h.mem_used_gb / NULLIF(h.mem_total_gb, 0) AS mem_util,
       100 * h.storage_used_tb / NULLIF(h.storage_total_tb, 0) AS storage_util
FROM cloud_region_hourly h
JOIN region_closure v ON v.descendant = h.adcode
 AND ((v.ancestor = $scope AND v.descendant = $adcode) OR (v.ancestor = $adcode AND v.descendant = $scope))
WHERE h.hour <= $period
ORDER BY h.hour
