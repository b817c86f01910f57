-- Tenant departments on the nodes in $adcode's subtree (inside the scope),
-- summed over their nodes, over the 24 hours before the snapshot: the reclaim
-- list, most idle (allocated but unused) vCPU first. The table holds only that
-- one window, so a view of an earlier period ($period before as_of) gets none.
-- The closure row linking $scope and $adcode names the deeper of the two: its
-- rows cover exactly the nodes inside both.
SELECT t.department, t.nodes, t.node_names, t.vcpu_alloc, t.vcpu_used, t.vcpu_idle, t.vcpu_util,
       t.mem_alloc_gb, t.mem_used_gb, t.storage_alloc_tb, t.storage_used_tb
FROM cloud_region_tenant t
JOIN region_closure v ON v.descendant = t.adcode
 AND ((v.ancestor = $scope AND v.descendant = $adcode) OR (v.ancestor = $adcode AND v.descendant = $scope))
WHERE t.as_of <= $period
ORDER BY t.vcpu_idle DESC, t.department
