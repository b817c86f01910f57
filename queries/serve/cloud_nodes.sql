-- Government cloud nodes the caller may see (a node belongs to the region of
-- its adcode), flagged when inside $adcode's subtree. The topology also draws
-- the uplink hubs of the nodes in view, so nodes outside the view come along.
-- Load is the latest hour up to $period shared by all nodes (so sums compare
-- like with like); availability is the mean of the hourly availabilities over
-- the hourly window (cloud_node_hourly keeps no sample counts). The build keeps
-- this per scope region and latest hour (cloud_node_latest).
SELECT n.node_id, n.name, n.tier, n.adcode, n.region_name, n.lon, n.lat,
       n.vcpu_total, n.mem_total_gb, n.storage_total_tb, n.racks, v.descendant IS NOT NULL AS in_view,
       n.hour, n.vcpu_alloc, n.vcpu_used, n.mem_alloc_gb, n.mem_used_gb, n.storage_alloc_tb, n.storage_used_tb,
       n.vcpu_util, n.availability, n.hours, n.first_hour, n.last_hour
FROM cloud_node_latest n
LEFT JOIN region_closure v ON v.ancestor = $adcode AND v.descendant = n.adcode
WHERE n.scope = $scope
  AND (n.latest_hour <= $period OR n.latest_hour IS NULL) AND (n.next_hour > $period OR n.next_hour IS NULL)
ORDER BY n.tier_rank, n.adcode, n.node_id
