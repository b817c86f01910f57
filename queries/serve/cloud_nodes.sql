-- Government cloud nodes the caller may see (a node belongs to the region of
-- its adcode), flagged when inside $adcode's subtree. The topology also draws
-- the uplink hubs of the nodes in view, so nodes outside the view come along.
-- Load is the latest hour up to $period shared by all nodes (so sums compare
-- like with like); availability is the mean of the hourly availabilities over
-- the hourly window (cloud_node_hourly keeps no sample counts).
WITH scoped AS (
    SELECT n.*, r.name AS region_name,
           EXISTS (SELECT 1 FROM region_closure h
                   WHERE h.ancestor = $adcode AND h.descendant = n.adcode) AS in_view
    FROM cloud_node n
    JOIN region_closure s ON s.descendant = n.adcode AND s.ancestor = $scope
    JOIN region r ON r.adcode = n.adcode
),
latest AS (
    SELECT max(hour) AS hour FROM cloud_node_hourly
    WHERE hour <= $period AND node_id IN (SELECT node_id FROM scoped)
),
win AS (
    SELECT node_id, 100 * avg(availability) AS availability, count(*) AS hours,
           min(hour) AS first_hour, max(hour) AS last_hour
    FROM cloud_node_hourly
    WHERE hour <= $period
    GROUP BY node_id
)
SELECT s.node_id, s.name, s.tier, s.adcode, s.region_name, s.lon, s.lat,
       s.vcpu_total, s.mem_total_gb, s.storage_total_tb, s.racks, s.in_view,
       h.hour, h.vcpu_alloc, h.vcpu_used, h.mem_alloc_gb, h.mem_used_gb,
       h.storage_alloc_tb, h.storage_used_tb,
       100 * h.vcpu_used / NULLIF(s.vcpu_total, 0) AS vcpu_util,
       w.availability, w.hours, w.first_hour, w.last_hour
FROM scoped s
CROSS JOIN latest l
LEFT JOIN cloud_node_hourly h ON h.node_id = s.node_id AND h.hour = l.hour
LEFT JOIN win w ON w.node_id = s.node_id
ORDER BY CASE s.tier WHEN 'provincial' THEN 0 WHEN 'backbone' THEN 1 ELSE 2 END, s.adcode, s.node_id
