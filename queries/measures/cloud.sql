-- 5-minute cloud samples -> hourly measures per region hosting the node.
-- Tenants are summed within each 5-minute interval first, then the interval
-- sums are averaged over the hour, so a missing sample doesn't halve the hour.
WITH per_interval AS (
    SELECT s.node_id, s.ts,
           sum(s.vcpu_alloc) AS vcpu_alloc, sum(s.vcpu_used) AS vcpu_used,
           sum(s.mem_used_gb) AS mem_used_gb, sum(s.storage_used_tb) AS storage_used_tb,
           count(*) AS samples, count(*) FILTER (WHERE s.available) AS samples_available
    FROM raw_cloud_sample s
    WHERE s.ts <= $as_of AND s.ts >= CAST($as_of AS TIMESTAMP) - INTERVAL 30 DAY
    GROUP BY ALL
),
per_hour AS (
    SELECT node_id, date_trunc('hour', ts) AS period,
           avg(vcpu_alloc) AS vcpu_alloc, avg(vcpu_used) AS vcpu_used,
           avg(mem_used_gb) AS mem_used_gb, avg(storage_used_tb) AS storage_used_tb,
           sum(samples) AS samples, sum(samples_available) AS samples_available
    FROM per_interval GROUP BY ALL
),
wide AS (
    SELECT n.adcode, h.period,
           sum(n.vcpu_total)::DOUBLE AS vcpu_total,
           sum(h.vcpu_alloc)::DOUBLE AS vcpu_alloc,
           sum(h.vcpu_used)::DOUBLE AS vcpu_used,
           sum(GREATEST(h.vcpu_alloc - h.vcpu_used, 0))::DOUBLE AS vcpu_idle,
           sum(n.mem_total_gb)::DOUBLE AS mem_total_gb,
           sum(h.mem_used_gb)::DOUBLE AS mem_used_gb,
           sum(n.storage_total_tb)::DOUBLE AS storage_total_tb,
           sum(h.storage_used_tb)::DOUBLE AS storage_used_tb,
           sum(h.samples)::DOUBLE AS samples,
           sum(h.samples_available)::DOUBLE AS samples_available
    FROM per_hour h JOIN raw_cloud_node n USING (node_id)
    GROUP BY ALL
)
UNPIVOT wide ON COLUMNS(* EXCLUDE (adcode, period)) INTO NAME measure VALUE value
