-- Hourly load of the nodes in $adcode's subtree (inside the scope), summed over
-- the nodes, up to $period. Totals count the nodes that reported in the hour,
-- as the vcpu_util indicator does, so a missing node does not read as idle.
SELECT h.hour, count(*) AS nodes,
       sum(n.vcpu_total) AS vcpu_total, sum(h.vcpu_alloc) AS vcpu_alloc, sum(h.vcpu_used) AS vcpu_used,
       sum(n.mem_total_gb) AS mem_total_gb, sum(h.mem_used_gb) AS mem_used_gb,
       sum(n.storage_total_tb) AS storage_total_tb, sum(h.storage_used_tb) AS storage_used_tb,
       100 * sum(h.vcpu_used) / NULLIF(sum(n.vcpu_total), 0) AS vcpu_util,
       100 * sum(h.mem_used_gb) / NULLIF(sum(n.mem_total_gb), 0) AS mem_util,
       100 * sum(h.storage_used_tb) / NULLIF(sum(n.storage_total_tb), 0) AS storage_util
FROM cloud_node_hourly h
JOIN cloud_node n USING (node_id)
JOIN region_closure s ON s.descendant = n.adcode AND s.ancestor = $scope
JOIN region_closure v ON v.descendant = n.adcode AND v.ancestor = $adcode
WHERE h.hour <= $period
GROUP BY h.hour
ORDER BY h.hour
