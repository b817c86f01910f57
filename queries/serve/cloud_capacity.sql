-- vCPU, memory and storage of the nodes in $adcode's subtree (inside the
-- scope): installed total, allocated to tenants and in use, at the latest hour
-- up to $period. Totals count every node; allocation and use only the nodes
-- that reported in that hour (`reporting` says how many).
WITH nodes AS (
    SELECT n.* FROM cloud_node n
    JOIN region_closure s ON s.descendant = n.adcode AND s.ancestor = $scope
    JOIN region_closure h ON h.descendant = n.adcode AND h.ancestor = $adcode
),
latest AS (
    SELECT max(hour) AS hour FROM cloud_node_hourly
    WHERE hour <= $period AND node_id IN (SELECT node_id FROM nodes)
),
cur AS (
    SELECT n.node_id, n.vcpu_total, n.mem_total_gb, n.storage_total_tb,
           h.node_id IS NOT NULL AS reported, h.vcpu_alloc, h.vcpu_used, h.mem_alloc_gb, h.mem_used_gb,
           h.storage_alloc_tb, h.storage_used_tb
    FROM nodes n
    LEFT JOIN cloud_node_hourly h ON h.node_id = n.node_id AND h.hour = (SELECT hour FROM latest)
),
agg AS (
    SELECT count(*) AS nodes, count(*) FILTER (WHERE reported) AS reporting,
           sum(vcpu_total) AS vcpu_total, sum(vcpu_alloc) AS vcpu_alloc, sum(vcpu_used) AS vcpu_used,
           sum(mem_total_gb) AS mem_total, sum(mem_alloc_gb) AS mem_alloc, sum(mem_used_gb) AS mem_used,
           sum(storage_total_tb) AS sto_total, sum(storage_alloc_tb) AS sto_alloc, sum(storage_used_tb) AS sto_used
    FROM cur
)
SELECT x.resource, x.unit, x.total, x.allocated, x.used,
       100 * x.allocated / NULLIF(x.total, 0) AS allocated_pct,
       100 * x.used / NULLIF(x.total, 0) AS used_pct,
       a.nodes, a.reporting, (SELECT hour FROM latest) AS hour
FROM agg a,
LATERAL (VALUES (1, 'vcpu', '核', a.vcpu_total, a.vcpu_alloc, a.vcpu_used),
                (2, 'memory', 'GB', a.mem_total, a.mem_alloc, a.mem_used),
                (3, 'storage', 'TB', a.sto_total, a.sto_alloc, a.sto_used))
        AS x(ord, resource, unit, total, allocated, used)
WHERE a.nodes > 0
ORDER BY x.ord
