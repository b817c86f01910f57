-- Domain detail tables: the rows behind the numbers, for maps, lists and drill-down.
-- Personal columns were masked at ingest (pipeline/sources/validate.py).
-- county and city name the event's region and its parent, for the lists.
CREATE TABLE event AS
SELECT e.event_id, e.category, e.subtype, e.severity, e.adcode, r.name AS county, p.name AS city,
       e.lon, e.lat, e.reported_at,
       CASE WHEN e.responded_at <= $as_of THEN e.responded_at END AS responded_at,
       CASE WHEN e.closed_at <= $as_of THEN e.closed_at END AS closed_at,
       e.deadline_at, e.unit, e.title, e.reporter,
       CASE WHEN e.closed_at <= $as_of THEN '已办结'
            WHEN e.responded_at <= $as_of THEN '处置中'
            ELSE '接报' END AS status,
       (e.closed_at IS NULL OR e.closed_at > $as_of) AND e.deadline_at < $as_of AS overdue
FROM raw_emergency_event e
LEFT JOIN region r ON r.adcode = e.adcode
LEFT JOIN region p ON p.adcode = r.parent
WHERE e.reported_at <= $as_of AND e.reported_at >= CAST($window_start AS TIMESTAMP);

-- In the order emergency_resources serves them: sorting sorted rows is cheap.
CREATE TABLE resource AS SELECT * FROM raw_emergency_resource WHERE updated_at <= $as_of ORDER BY kind, resource_id;

CREATE TABLE work_order AS
SELECT o.order_id, o.created_at, o.adcode, o.channel, o.category, o.topic, o.department, o.caller, o.phone,
       o.due_at, CASE WHEN o.closed_at <= $as_of THEN o.closed_at END AS closed_at,
       CASE WHEN o.closed_at <= $as_of THEN o.satisfied END AS satisfied,
       CASE WHEN o.closed_at <= $as_of THEN '已办结' WHEN o.due_at < $as_of THEN '超期' ELSE '办理中' END AS status
FROM raw_work_order o
WHERE o.created_at <= $as_of AND o.created_at >= CAST($as_of AS TIMESTAMP) - INTERVAL 90 DAY;

CREATE TABLE cloud_node AS SELECT * FROM raw_cloud_node;

CREATE TABLE cloud_node_hourly AS
WITH per_interval AS (
    SELECT node_id, ts, sum(vcpu_alloc) AS vcpu_alloc, sum(vcpu_used) AS vcpu_used,
           sum(mem_alloc_gb) AS mem_alloc_gb, sum(mem_used_gb) AS mem_used_gb,
           sum(storage_alloc_tb) AS storage_alloc_tb, sum(storage_used_tb) AS storage_used_tb,
           count(*) AS samples, count(*) FILTER (WHERE available) AS samples_available
    FROM raw_cloud_sample
    WHERE ts <= $as_of AND ts >= CAST($as_of AS TIMESTAMP) - INTERVAL 7 DAY
    GROUP BY ALL
)
SELECT node_id, date_trunc('hour', ts) AS hour,
       avg(vcpu_alloc) AS vcpu_alloc, avg(vcpu_used) AS vcpu_used,
       avg(mem_alloc_gb) AS mem_alloc_gb, avg(mem_used_gb) AS mem_used_gb,
       avg(storage_alloc_tb) AS storage_alloc_tb, avg(storage_used_tb) AS storage_used_tb,
       sum(samples_available)::DOUBLE / sum(samples) AS availability
FROM per_interval GROUP BY ALL;

-- What each tenant department holds and uses over the last 24 hours: the
-- reclaim list is ranked by idle (allocated minus used) vCPU.
CREATE TABLE cloud_tenant AS
SELECT s.node_id, s.department,
       avg(s.vcpu_alloc) AS vcpu_alloc, avg(s.vcpu_used) AS vcpu_used,
       avg(GREATEST(s.vcpu_alloc - s.vcpu_used, 0)) AS vcpu_idle,
       avg(s.mem_alloc_gb) AS mem_alloc_gb, avg(s.mem_used_gb) AS mem_used_gb,
       avg(s.storage_alloc_tb) AS storage_alloc_tb, avg(s.storage_used_tb) AS storage_used_tb,
       count(*) FILTER (WHERE s.available)::DOUBLE / count(*) AS availability
FROM raw_cloud_sample s
WHERE s.ts <= $as_of AND s.ts > CAST($as_of AS TIMESTAMP) - INTERVAL 1 DAY
GROUP BY ALL;

CREATE TABLE cloud_system AS SELECT * FROM raw_cloud_system WHERE onboarded_on <= CAST($as_of AS DATE);

CREATE TABLE sharing_flow AS
SELECT date_trunc('day', ts)::DATE AS day, provider_dept, provider_adcode, consumer_dept, consumer_adcode,
       count(*) AS calls, count(*) FILTER (WHERE ok) AS calls_ok, sum(latency_ms) AS latency_ms_sum
FROM raw_api_call
WHERE ts <= $as_of AND ts >= CAST($window_start AS TIMESTAMP)
GROUP BY ALL;

CREATE TABLE data_catalog AS
SELECT c.*, date_diff('day', c.last_updated, CAST($as_of AS DATE)) <= c.update_days AS timely
FROM raw_data_catalog c WHERE c.registered_on <= CAST($as_of AS DATE);

CREATE TABLE quality_objection AS
SELECT o.objection_id, o.entry_id, o.adcode, o.raised_at,
       CASE WHEN o.resolved_at <= $as_of THEN o.resolved_at END AS resolved_at
FROM raw_quality_objection o WHERE o.raised_at <= $as_of;
