-- Tenant departments on the nodes in $adcode's subtree (inside the scope),
-- summed over their nodes, over the 24 hours before the snapshot: the reclaim
-- list, most idle (allocated but unused) vCPU first. The table holds only that
-- one window, so a view of an earlier period ($period before as_of) gets none.
SELECT t.department, count(*) AS nodes,
       string_agg(n.name, '、' ORDER BY n.node_id) AS node_names,
       sum(t.vcpu_alloc) AS vcpu_alloc, sum(t.vcpu_used) AS vcpu_used, sum(t.vcpu_idle) AS vcpu_idle,
       100 * sum(t.vcpu_used) / NULLIF(sum(t.vcpu_alloc), 0) AS vcpu_util,
       sum(t.mem_alloc_gb) AS mem_alloc_gb, sum(t.mem_used_gb) AS mem_used_gb,
       sum(t.storage_alloc_tb) AS storage_alloc_tb, sum(t.storage_used_tb) AS storage_used_tb
FROM cloud_tenant t
JOIN cloud_node n USING (node_id)
JOIN region_closure s ON s.descendant = n.adcode AND s.ancestor = $scope
JOIN region_closure v ON v.descendant = n.adcode AND v.ancestor = $adcode
WHERE (SELECT max(as_of) FROM snapshot_meta) <= $period
GROUP BY t.department
ORDER BY vcpu_idle DESC, t.department
