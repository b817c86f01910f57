-- Serving tables: what queries/serve/*.sql would otherwise work out on every
-- request, computed once per snapshot from the tables above (indicator values
-- carry their neighbours themselves, see 50_indicator_value.sql). Most are kept
-- per region (adcode) for the whole subtree below it, so a query reads one
-- region's rows instead of joining details to the closure. What depends on the
-- view's instant is kept per interval of instants a row answers for ([hour,
-- next_hour), [day, next_day)), or, where only the view at the snapshot's
-- instant is kept, with that as_of. last_flow_day is sharing_flow's last day.

-- Cloud, per region: the nodes of its subtree. cloud_region_hourly sums, per
-- hour, the nodes that reported in it (nodes and their installed totals count
-- only those); next_hour makes a row the latest one up to t for t in
-- [hour, next_hour). Float sums may differ from a per-request sum in the last
-- bit (another summation order).
CREATE TABLE cloud_region_hourly AS
SELECT c.ancestor AS adcode, h.hour, count(*) AS nodes,
       sum(n.vcpu_total) AS vcpu_total, sum(h.vcpu_alloc) AS vcpu_alloc, sum(h.vcpu_used) AS vcpu_used,
       sum(n.mem_total_gb) AS mem_total_gb, sum(h.mem_alloc_gb) AS mem_alloc_gb, sum(h.mem_used_gb) AS mem_used_gb,
       sum(n.storage_total_tb) AS storage_total_tb, sum(h.storage_alloc_tb) AS storage_alloc_tb,
       sum(h.storage_used_tb) AS storage_used_tb,
       lead(h.hour) OVER (PARTITION BY c.ancestor ORDER BY h.hour) AS next_hour
FROM cloud_node_hourly h
JOIN cloud_node n USING (node_id)
JOIN region_closure c ON c.descendant = n.adcode
GROUP BY c.ancestor, h.hour
ORDER BY adcode, hour;

-- Each region's hours as intervals, with one before the first hour (hour
-- NULL): the latest hour up to any t, or none yet.
CREATE TEMP TABLE cloud_region_latest AS
SELECT c.ancestor AS adcode, NULL::TIMESTAMP AS hour, min(h.hour) AS next_hour
FROM cloud_node n
JOIN region_closure c ON c.descendant = n.adcode
LEFT JOIN cloud_region_hourly h ON h.adcode = c.ancestor
GROUP BY c.ancestor
UNION ALL
SELECT adcode, hour, next_hour FROM cloud_region_hourly;

-- The capacity panel per region and latest hour, one row per resource: totals
-- over every node, allocation and use over the nodes that reported.
CREATE TABLE cloud_region_capacity AS
WITH installed AS (
    SELECT c.ancestor AS adcode, count(*) AS nodes, sum(n.vcpu_total) AS vcpu_total,
           sum(n.mem_total_gb) AS mem_total_gb, sum(n.storage_total_tb) AS storage_total_tb
    FROM cloud_node n JOIN region_closure c ON c.descendant = n.adcode
    GROUP BY ALL
)
SELECT l.adcode, l.hour, l.next_hour, x.ord, x.resource, x.unit, x.total, x.allocated, x.used,
       100 * x.allocated / NULLIF(x.total, 0) AS allocated_pct,
       100 * x.used / NULLIF(x.total, 0) AS used_pct,
       g.nodes, COALESCE(h.nodes, 0) AS reporting
FROM cloud_region_latest l
JOIN installed g ON g.adcode = l.adcode
LEFT JOIN cloud_region_hourly h ON h.adcode = l.adcode AND h.hour = l.hour,
LATERAL (VALUES (1, 'vcpu', '核', g.vcpu_total, h.vcpu_alloc, h.vcpu_used),
                (2, 'memory', 'GB', g.mem_total_gb, h.mem_alloc_gb, h.mem_used_gb),
                (3, 'storage', 'TB', g.storage_total_tb, h.storage_alloc_tb, h.storage_used_tb))
        AS x(ord, resource, unit, total, allocated, used)
ORDER BY l.adcode, l.hour NULLS FIRST, x.ord;

-- The node topology per scope region (`scope`) and latest hour its nodes
-- share (`latest_hour`, NULL before the first): each node of the scope with
-- its load in that hour (`hour` NULL if it did not report) and its
-- availability over the hours up to then.
CREATE TABLE cloud_node_latest AS
WITH running AS (
    SELECT node_id, hour, 100 * avg(availability) OVER w AS availability, count(*) OVER w AS hours,
           min(hour) OVER w AS first_hour
    FROM cloud_node_hourly
    WINDOW w AS (PARTITION BY node_id ORDER BY hour ROWS UNBOUNDED PRECEDING)
)
SELECT l.adcode AS scope, l.hour AS latest_hour, l.next_hour,
       n.node_id, n.name, n.tier, n.adcode, r.name AS region_name, n.lon, n.lat,
       n.vcpu_total, n.mem_total_gb, n.storage_total_tb, n.racks,
       h.hour, h.vcpu_alloc, h.vcpu_used, h.mem_alloc_gb, h.mem_used_gb, h.storage_alloc_tb, h.storage_used_tb,
       100 * h.vcpu_used / NULLIF(n.vcpu_total, 0) AS vcpu_util,
       w.availability, w.hours, w.first_hour, w.hour AS last_hour,
       CASE n.tier WHEN 'provincial' THEN 0 WHEN 'backbone' THEN 1 ELSE 2 END AS tier_rank
FROM cloud_region_latest l
JOIN region_closure s ON s.ancestor = l.adcode
JOIN cloud_node n ON n.adcode = s.descendant
JOIN region r ON r.adcode = n.adcode
LEFT JOIN cloud_node_hourly h ON h.node_id = n.node_id AND h.hour = l.hour
ASOF LEFT JOIN running w ON w.node_id = n.node_id AND w.hour <= l.hour
ORDER BY scope, latest_hour NULLS FIRST, tier_rank, n.adcode, n.node_id;

-- The indicator values of the regions that host a cloud node, by indicator and
-- period (cloud_indicator_nodes reads one indicator at one period of them).
CREATE TABLE cloud_region_value AS
SELECT v.indicator, v.period, v.adcode, v.value, v.num, v.den
FROM indicator_value v
WHERE v.adcode IN (SELECT adcode FROM cloud_node)
ORDER BY v.indicator, v.period, v.adcode;

-- cloud_indicator_nodes at the snapshot's instant: for each region asked for
-- (`asked`) and each indicator it has a value of, its latest row and the rows
-- of the node-hosting regions below it at that period.
CREATE TABLE cloud_indicator_nodes_latest AS
WITH p AS (
    SELECT adcode AS asked, indicator, adcode, period, value, num, den
    FROM indicator_value
    WHERE next_period IS NULL
)
SELECT * FROM p
UNION ALL
SELECT p.asked, p.indicator, c.adcode, c.period, c.value, c.num, c.den
FROM p
JOIN cloud_region_value c ON c.indicator = p.indicator AND c.period = p.period AND c.adcode <> p.asked
JOIN region_closure h ON h.descendant = c.adcode AND h.ancestor = p.asked
ORDER BY asked, indicator, adcode;

-- indicator_children at the snapshot's instant: for each region and each
-- indicator it has a value of, its children's values at its latest period (a
-- child without one has NULLs). The latest form reads one block of these
-- instead of finding the parent's latest period and then reading the
-- children's rows of it out of every indicator value.
CREATE TABLE indicator_children_latest AS
SELECT r.parent, p.indicator, r.adcode, v.value, v.num, v.den, p.period
FROM indicator_value p
JOIN region r ON r.parent = p.adcode
LEFT JOIN indicator_value v ON v.indicator = p.indicator AND v.adcode = r.adcode AND v.period = p.period
WHERE p.next_period IS NULL
ORDER BY r.parent, p.indicator, r.adcode;

-- Tenant departments per region: the reclaim list of the nodes in its subtree
-- over the 24 hours before as_of (the one window cloud_tenant holds).
CREATE TABLE cloud_region_tenant AS
SELECT c.ancestor AS adcode, CAST($as_of AS TIMESTAMP) AS as_of, t.department, count(*) AS nodes,
       string_agg(n.name, '、' ORDER BY n.node_id) AS node_names,
       sum(t.vcpu_alloc) AS vcpu_alloc, sum(t.vcpu_used) AS vcpu_used, sum(t.vcpu_idle) AS vcpu_idle,
       100 * sum(t.vcpu_used) / NULLIF(sum(t.vcpu_alloc), 0) AS vcpu_util,
       sum(t.mem_alloc_gb) AS mem_alloc_gb, sum(t.mem_used_gb) AS mem_used_gb,
       sum(t.storage_alloc_tb) AS storage_alloc_tb, sum(t.storage_used_tb) AS storage_used_tb
FROM cloud_tenant t
JOIN cloud_node n USING (node_id)
JOIN region_closure c ON c.descendant = n.adcode
GROUP BY c.ancestor, t.department
ORDER BY adcode, vcpu_idle DESC, t.department;

-- The extent of each region's own and descendants' centroids (the node
-- topology map frames its regions by it).
CREATE TABLE region_extent AS
SELECT c.ancestor AS adcode, min(d.lon) AS min_lon, max(d.lon) AS max_lon, min(d.lat) AS min_lat, max(d.lat) AS max_lat
FROM region_closure c
JOIN region d ON d.adcode = c.descendant
GROUP BY c.ancestor
ORDER BY adcode;

-- Data sharing. Every sharing_flow row seen from each region X that the flow
-- touches (either end inside X's subtree), with both ends placed relative to X
-- the way the screens draw them:
--   kind  'named' (X itself or a region above it), 'below' (inside X) or 'beside';
--   line  the department without its region's name in front (merged by line of
--         work), except for named ends, which keep their name;
--   node  an end above X or X itself as it is, one inside X as the child of X
--         it lies in, one elsewhere as the region where its branch leaves X's path.
-- Keyed by region pair first: few pairs, so this is small.
CREATE TEMP TABLE sharing_pair_view AS
WITH pairs AS (SELECT DISTINCT provider_adcode, consumer_adcode FROM sharing_flow),
seen_by AS (
    SELECT DISTINCT p.provider_adcode, p.consumer_adcode, c.ancestor AS adcode
    FROM pairs p
    JOIN region_closure c ON c.descendant = p.provider_adcode OR c.descendant = p.consumer_adcode
),
ends AS (   -- every (region, viewer) pair that occurs: kind and node of the region seen from the viewer
    SELECT DISTINCT provider_adcode AS region, adcode FROM seen_by
    UNION
    SELECT DISTINCT consumer_adcode, adcode FROM seen_by
),
placed AS (
    SELECT e.region, e.adcode,
           CASE WHEN up.ancestor IS NOT NULL THEN 'named'
                WHEN down.ancestor IS NOT NULL THEN 'below' ELSE 'beside' END AS kind,
           CASE WHEN up.ancestor IS NOT NULL THEN e.region ELSE br.ancestor END AS node,
           down.ancestor IS NOT NULL AS inside
    FROM ends e
    LEFT JOIN region_closure up ON up.ancestor = e.region AND up.descendant = e.adcode
    LEFT JOIN region_closure down ON down.ancestor = e.adcode AND down.descendant = e.region
    LEFT JOIN (   -- the ancestor of the region whose parent lies on the viewer's path and which does not
        SELECT k.descendant AS region, v.descendant AS adcode, k.ancestor
        FROM region_closure k
        JOIN region a ON a.adcode = k.ancestor
        JOIN region_closure v ON v.ancestor = a.parent
        WHERE NOT EXISTS (SELECT 1 FROM region_closure x WHERE x.ancestor = a.adcode AND x.descendant = v.descendant)
    ) br ON br.region = e.region AND br.adcode = e.adcode AND up.ancestor IS NULL
)
SELECT s.provider_adcode, s.consumer_adcode, s.adcode,
       p.kind AS provider_kind, p.node AS provider_node, p.inside AS provider_inside,
       c.kind AS consumer_kind, c.node AS consumer_node, c.inside AS consumer_inside
FROM seen_by s
JOIN placed p ON p.region = s.provider_adcode AND p.adcode = s.adcode
JOIN placed c ON c.region = s.consumer_adcode AND c.adcode = s.adcode;

-- Calls per day in the consumer's region and each region above it.
CREATE TABLE sharing_region_daily AS
SELECT c.ancestor AS adcode, f.day, sum(f.calls) AS calls, sum(f.calls_ok) AS calls_ok,
       sum(f.latency_ms_sum) AS latency_ms_sum, (SELECT max(day) FROM sharing_flow) AS last_flow_day
FROM sharing_flow f
JOIN region_closure c ON c.descendant = f.consumer_adcode
GROUP BY c.ancestor, f.day
ORDER BY adcode, day;

-- The tables below group every flow once per region that sees it, millions of
-- rows at scale: departments go in as numbers (sharing_name) and come out as
-- names. A department's line is its name without its region's name in front.
CREATE TEMP TABLE sharing_name AS
WITH ends AS (
    SELECT DISTINCT provider_dept AS dept, provider_adcode AS adcode FROM sharing_flow
    UNION
    SELECT DISTINCT consumer_dept, consumer_adcode FROM sharing_flow
),
lines AS (
    SELECT e.dept, e.adcode,
           CASE WHEN NOT starts_with(e.dept, r.name) THEN e.dept ELSE substr(e.dept, length(r.name) + 1) END AS line
    FROM ends e JOIN region r ON r.adcode = e.adcode
)
SELECT name, row_number() OVER (ORDER BY name) AS id
FROM (SELECT dept AS name FROM ends UNION SELECT line FROM lines)
WHERE name IS NOT NULL;

-- sharing_flow with departments and lines as numbers (a line only where the
-- region is known).
CREATE TEMP TABLE sharing_flow_id AS
WITH lines AS (
    SELECT e.dept, e.adcode, d.id AS dept_id, l.id AS line_id
    FROM (SELECT DISTINCT provider_dept AS dept, provider_adcode AS adcode FROM sharing_flow
          UNION SELECT DISTINCT consumer_dept, consumer_adcode FROM sharing_flow) e
    JOIN sharing_name d ON d.name = e.dept
    LEFT JOIN region r ON r.adcode = e.adcode
    LEFT JOIN sharing_name l
           ON l.name = CASE WHEN NOT starts_with(e.dept, r.name) THEN e.dept ELSE substr(e.dept, length(r.name) + 1) END
)
SELECT f.day, f.provider_adcode, p.dept_id AS provider_id, p.line_id AS provider_line,
       f.consumer_adcode, c.dept_id AS consumer_id, c.line_id AS consumer_line,
       f.calls, f.calls_ok, f.latency_ms_sum
FROM sharing_flow f
LEFT JOIN lines p ON p.dept = f.provider_dept AND p.adcode = f.provider_adcode
LEFT JOIN lines c ON c.dept = f.consumer_dept AND c.adcode = f.consumer_adcode;

-- Calls per day between departments as region X draws them (sharing_dept_flows).
-- The kinds go in as 0 named, 1 below, 2 beside.
CREATE TABLE sharing_dept_daily AS
WITH g AS (
    SELECT v.adcode, f.day,
           CASE v.provider_kind WHEN 'named' THEN 0 WHEN 'below' THEN 1 ELSE 2 END::UTINYINT AS provider_kind,
           CASE WHEN v.provider_kind = 'named' THEN f.provider_id ELSE f.provider_line END AS provider,
           CASE v.consumer_kind WHEN 'named' THEN 0 WHEN 'below' THEN 1 ELSE 2 END::UTINYINT AS consumer_kind,
           CASE WHEN v.consumer_kind = 'named' THEN f.consumer_id ELSE f.consumer_line END AS consumer,
           sum(f.calls) AS calls, sum(f.calls_ok) AS calls_ok, sum(f.latency_ms_sum) AS latency_ms_sum
    FROM sharing_flow_id f
    JOIN sharing_pair_view v USING (provider_adcode, consumer_adcode)
    WHERE f.provider_line IS NOT NULL AND f.consumer_line IS NOT NULL
    GROUP BY ALL
)
SELECT g.adcode, g.day, ['named', 'below', 'beside'][g.provider_kind + 1] AS provider_kind, p.name AS provider,
       ['named', 'below', 'beside'][g.consumer_kind + 1] AS consumer_kind, c.name AS consumer,
       g.calls, g.calls_ok, g.latency_ms_sum, (SELECT max(day) FROM sharing_flow) AS last_flow_day
FROM g
JOIN sharing_name p ON p.id = g.provider
JOIN sharing_name c ON c.id = g.consumer
ORDER BY g.adcode, g.day;

-- Calls per day between the nodes region X's flow map draws (sharing_region_flows).
CREATE TABLE sharing_node_daily AS
WITH pair_day AS (
    SELECT day, provider_adcode, consumer_adcode,
           sum(calls) AS calls, sum(calls_ok) AS calls_ok, sum(latency_ms_sum) AS latency_ms_sum
    FROM sharing_flow
    GROUP BY ALL
)
SELECT v.adcode, f.day, v.provider_node, v.consumer_node, v.provider_inside, v.consumer_inside,
       sum(f.calls) AS calls, sum(f.calls_ok) AS calls_ok, sum(f.latency_ms_sum) AS latency_ms_sum,
       (SELECT max(day) FROM sharing_flow) AS last_flow_day
FROM pair_day f
JOIN sharing_pair_view v USING (provider_adcode, consumer_adcode)
WHERE v.provider_node IS NOT NULL AND v.consumer_node IS NOT NULL
GROUP BY ALL
ORDER BY v.adcode, f.day;

-- sharing_region_flows and sharing_dept_flows at the snapshot's instant over
-- the screens' window ($flow_days days up to the last day with calls, see
-- queries/windows.py), per region: what their general forms sum from the daily
-- tables above, with the nodes' names and places, in the forms' order.
CREATE TABLE sharing_node_window AS
WITH f AS (
    SELECT d.adcode, d.provider_node, d.consumer_node, d.provider_inside, d.consumer_inside,
           sum(d.calls)::BIGINT AS calls, sum(d.calls_ok)::BIGINT AS calls_ok,
           sum(d.latency_ms_sum)::DOUBLE AS latency_ms_sum, d.last_flow_day AS last_day
    FROM sharing_node_daily d
    WHERE d.day > d.last_flow_day - CAST($flow_days AS INTEGER) AND d.day <= d.last_flow_day
    GROUP BY ALL
)
SELECT f.adcode, f.provider_node, p.name AS provider_name, p.level AS provider_level,
       p.lon AS provider_lon, p.lat AS provider_lat,
       f.consumer_node, c.name AS consumer_name, c.level AS consumer_level,
       c.lon AS consumer_lon, c.lat AS consumer_lat,
       f.provider_inside, f.consumer_inside, f.calls, f.calls_ok, f.latency_ms_sum,
       f.last_day - CAST($flow_days AS INTEGER) + 1 AS first_day, f.last_day
FROM f
JOIN region p ON p.adcode = f.provider_node
JOIN region c ON c.adcode = f.consumer_node
ORDER BY f.adcode, f.calls DESC, f.provider_node, f.consumer_node;

CREATE TABLE sharing_dept_window AS
SELECT d.adcode, d.provider_kind, d.provider, d.consumer_kind, d.consumer,
       sum(d.calls)::BIGINT AS calls, sum(d.calls_ok)::BIGINT AS calls_ok,
       sum(d.latency_ms_sum)::DOUBLE AS latency_ms_sum
FROM sharing_dept_daily d
WHERE d.day > d.last_flow_day - CAST($flow_days AS INTEGER) AND d.day <= d.last_flow_day
GROUP BY ALL
ORDER BY d.adcode, calls DESC, d.provider_kind, d.provider, d.consumer_kind, d.consumer;

-- Calls per day and provider department seen from region X (sharing_providers).
-- Distinct consumers are counted without listing them: a (provider, consumer)
-- pair counts once, on its last day in the window, the day whose next day of
-- the same pair (next_day) lies after the window or does not exist.
CREATE TABLE sharing_provider_daily AS
WITH paired AS (   -- a pair seen twice on a day (one name, two regions) counts on the later row
    SELECT v.adcode, f.provider_id, f.provider_adcode, f.consumer_id, f.day, f.calls, f.calls_ok, f.latency_ms_sum,
           lead(f.day) OVER (PARTITION BY v.adcode, f.provider_id, f.provider_adcode, f.consumer_id ORDER BY f.day)
               AS next_day
    FROM sharing_flow_id f
    JOIN sharing_pair_view v USING (provider_adcode, consumer_adcode)
    WHERE f.provider_line IS NOT NULL
),
counted AS (
    SELECT adcode, provider_id, provider_adcode, day, next_day,
           sum(calls) AS calls, sum(calls_ok) AS calls_ok, sum(latency_ms_sum) AS latency_ms_sum,
           count(consumer_id) AS consumers
    FROM paired
    GROUP BY ALL
)
SELECT c.adcode, n.name AS provider_dept, c.provider_adcode, r.name AS provider_region, c.day, c.next_day,
       c.calls, c.calls_ok, c.latency_ms_sum, c.consumers, (SELECT max(day) FROM sharing_flow) AS last_flow_day
FROM counted c
JOIN sharing_name n ON n.id = c.provider_id
JOIN region r ON r.adcode = c.provider_adcode
ORDER BY c.adcode, c.day;

-- The same seen from the snapshot's last flow day, the view of every $period
-- on or after it: per provider and day, the totals from that day to the last
-- one (so a window ending on the last day is one row, not a sum), the distinct
-- consumers among them, and the calls of the last day itself. prev_day is the
-- provider's previous day with calls: the row answers windows that start after
-- prev_day and no later than day.
CREATE TABLE sharing_provider_tail AS
WITH per_day AS (
    SELECT adcode, provider_dept, provider_adcode, any_value(provider_region) AS provider_region, day,
           sum(calls) AS calls, sum(calls_ok) AS calls_ok, sum(latency_ms_sum) AS latency_ms_sum,
           COALESCE(sum(consumers) FILTER (WHERE next_day IS NULL), 0) AS last_seen,
           any_value(last_flow_day) AS last_flow_day
    FROM sharing_provider_daily
    GROUP BY adcode, provider_dept, provider_adcode, day
)
SELECT adcode, provider_dept, provider_adcode, provider_region, day, lag(day) OVER w AS prev_day,
       sum(calls) OVER t AS calls, sum(calls_ok) OVER t AS calls_ok, sum(latency_ms_sum) OVER t AS latency_ms_sum,
       sum(last_seen) OVER t AS consumers,
       COALESCE(sum(calls) FILTER (WHERE day = last_flow_day) OVER p, 0) AS last_day_calls,
       COALESCE(sum(calls_ok) FILTER (WHERE day = last_flow_day) OVER p, 0) AS last_day_calls_ok,
       last_flow_day
FROM per_day
WINDOW w AS (PARTITION BY adcode, provider_dept, provider_adcode ORDER BY day),
       t AS (PARTITION BY adcode, provider_dept, provider_adcode ORDER BY day
             ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING),
       p AS (PARTITION BY adcode, provider_dept, provider_adcode)
ORDER BY adcode, day;

-- The catalog panel (sharing_catalog) per region and basis ('own': the
-- region's own departments; 'subtree': all of it) as dated changes: a row per
-- day something changes, with the counts that hold from that day until
-- next_day (entries registered, shareable, open, timely, objections open) and
-- what happened on the day (objections resolved, on time, their handling days).
-- A first row (day NULL) holds the zeros before any change, so every region
-- has one. The rules are those of queries/measures/data_catalog.sql: timely
-- while the day is not after last_updated + update_days (or before
-- last_updated), open from the day raised until the day resolved.
CREATE TABLE sharing_catalog_day AS
WITH entry AS (
    SELECT adcode, registered_on, share_type <> '不予共享' AS shareable, open_type <> '不予开放' AS open,
           last_updated + CASE WHEN update_days IS NULL THEN -1 ELSE greatest(update_days, -1) END AS timely_until
    FROM data_catalog
    WHERE registered_on IS NOT NULL
),
change AS (
    SELECT adcode, registered_on AS day, 1 AS entries, CASE WHEN shareable THEN 1 ELSE 0 END AS shareable,
           CASE WHEN open THEN 1 ELSE 0 END AS open,
           CASE WHEN registered_on <= timely_until THEN 1 ELSE 0 END AS timely,
           0 AS objections_open, 0 AS resolved, 0 AS ontime, NULL::DOUBLE AS handling_days
    FROM entry
    UNION ALL
    SELECT adcode, timely_until + 1, 0, 0, 0, -1, 0, 0, 0, NULL
    FROM entry WHERE registered_on <= timely_until
    UNION ALL
    SELECT adcode, raised_at::DATE, 0, 0, 0, 0, 1, 0, 0, NULL
    FROM quality_objection
    WHERE raised_at IS NOT NULL AND (resolved_at IS NULL OR resolved_at::DATE > raised_at::DATE)
    UNION ALL
    SELECT adcode, resolved_at::DATE, 0, 0, 0, 0,
           CASE WHEN resolved_at::DATE > raised_at::DATE THEN -1 ELSE 0 END,
           1, CASE WHEN resolved_at <= raised_at + INTERVAL 7 DAY THEN 1 ELSE 0 END,
           epoch(resolved_at - raised_at) / 86400.0
    FROM quality_objection WHERE resolved_at IS NOT NULL
),
filed AS (
    SELECT k.ancestor AS adcode, 'subtree' AS basis, c.* EXCLUDE (adcode)
    FROM change c JOIN region_closure k ON k.descendant = c.adcode
    UNION ALL
    SELECT c.adcode, 'own', c.* EXCLUDE (adcode)
    FROM change c WHERE c.adcode IN (SELECT adcode FROM region)
),
daily AS (
    SELECT adcode, basis, day, sum(entries) AS entries, sum(shareable) AS shareable, sum(open) AS open,
           sum(timely) AS timely, sum(objections_open) AS objections_open, sum(resolved) AS resolved,
           sum(ontime) AS ontime, list(handling_days) FILTER (WHERE handling_days IS NOT NULL) AS handling_days
    FROM filed
    GROUP BY ALL
),
dated AS (
    SELECT adcode, basis, day, lead(day) OVER w AS next_day,
           sum(entries) OVER c AS entries, sum(shareable) OVER c AS shareable, sum(open) OVER c AS open,
           sum(timely) OVER c AS timely, sum(objections_open) OVER c AS objections_open,
           resolved, ontime, handling_days,
           sum(resolved) OVER c AS resolved_to_day, sum(ontime) OVER c AS ontime_to_day
    FROM daily
    WINDOW w AS (PARTITION BY adcode, basis ORDER BY day),
           c AS (PARTITION BY adcode, basis ORDER BY day ROWS UNBOUNDED PRECEDING)
    UNION ALL
    SELECT r.adcode, b.basis, NULL, (SELECT min(day) FROM daily d WHERE d.adcode = r.adcode AND d.basis = b.basis),
           0, 0, 0, 0, 0, 0, 0, NULL, 0, 0
    FROM region r CROSS JOIN (VALUES ('own'), ('subtree')) b(basis)
)
SELECT d.adcode, r.parent, r.name, r.level, d.basis, d.day, d.next_day,
       d.entries, d.shareable, d.open, d.timely, d.objections_open, d.resolved, d.ontime, d.handling_days,
       d.resolved_to_day, d.ontime_to_day, CAST($as_of AS TIMESTAMP) AS as_of
FROM dated d
JOIN region r ON r.adcode = d.adcode
ORDER BY r.parent NULLS FIRST, d.adcode, d.basis, d.day NULLS FIRST;

-- resolved_to_day and ontime_to_day above run up to each row's day, so a
-- window's resolutions are the difference of the rows in force at its two
-- ends. A median has no such difference: each resolution's handling days are
-- kept as a row of their own, per region and basis, to take it from.
CREATE TABLE sharing_catalog_handling AS
SELECT adcode, parent, basis, day, unnest(handling_days) AS handling_days
FROM sharing_catalog_day
WHERE handling_days IS NOT NULL
ORDER BY parent NULLS FIRST, adcode, basis, day;

-- The catalog panel at the snapshot's instant, whole, for every region: the
-- rows queries/serve/sharing_catalog.sql returns for $adcode = node over the
-- screens' window ($flow_days days) with demand from
-- $catalog_demand_indicator (queries/windows.py), in its order (ord, sort_adcode).
-- Planning that query took longer than running it; its latest form is a lookup.
CREATE TABLE sharing_catalog_latest AS
WITH m AS (
    SELECT CAST($as_of AS DATE) AS last_day,
           CAST($as_of AS DATE) - GREATEST(CAST($flow_days AS INTEGER), 0) AS before_day
),
c AS (
    SELECT c.*, m.last_day,
           (c.day <= m.last_day OR c.day IS NULL) AND (c.next_day > m.last_day OR c.next_day IS NULL) AS at_last,
           (c.day <= m.before_day OR c.day IS NULL) AND (c.next_day > m.before_day OR c.next_day IS NULL) AS at_before
    FROM sharing_catalog_day c CROSS JOIN m
),
shown AS (   -- a row is in its own region's panel and, as a child, in its parent's
    SELECT c.adcode AS node, c.* FROM c WHERE c.at_last OR c.at_before
    UNION ALL
    SELECT c.parent AS node, c.* FROM c
    WHERE c.basis = 'subtree' AND c.parent IS NOT NULL AND (c.at_last OR c.at_before)
),
g AS (
    SELECT node, adcode, basis, any_value(name) AS name, any_value(level) AS level, any_value(last_day) AS last_day,
           any_value(entries) FILTER (WHERE at_last) AS entries,
           any_value(shareable) FILTER (WHERE at_last) AS shareable,
           any_value(open) FILTER (WHERE at_last) AS open,
           any_value(timely) FILTER (WHERE at_last) AS timely,
           any_value(objections_open) FILTER (WHERE at_last) AS objections_open,
           any_value(resolved_to_day) FILTER (WHERE at_last)
               - any_value(resolved_to_day) FILTER (WHERE at_before) AS objections_resolved,
           any_value(ontime_to_day) FILTER (WHERE at_last)
               - any_value(ontime_to_day) FILTER (WHERE at_before) AS objections_ontime
    FROM shown
    GROUP BY node, adcode, basis
),
hx AS (
    SELECT x.* FROM sharing_catalog_handling x, m WHERE x.day > m.before_day AND x.day <= m.last_day
),
h AS (
    SELECT node, adcode, basis, median(handling_days) AS handling_days_median
    FROM (SELECT adcode AS node, * FROM hx
          UNION ALL
          SELECT parent AS node, * FROM hx WHERE basis = 'subtree' AND parent IS NOT NULL)
    GROUP BY node, adcode, basis
),
vx AS (
    SELECT v.adcode, v.parent, v.num, v.den
    FROM indicator_value v, m
    WHERE v.indicator = $catalog_demand_indicator
      AND v.period::DATE > m.last_day - CAST($flow_days AS INTEGER) AND v.period::DATE <= m.last_day
),
demand AS (
    SELECT node, adcode, sum(num) AS met, sum(den) AS requests
    FROM (SELECT adcode AS node, * FROM vx UNION ALL SELECT parent AS node, * FROM vx WHERE parent IS NOT NULL)
    GROUP BY node, adcode
)
SELECT g.node,
       CASE WHEN g.basis = 'own' THEN 0 WHEN g.adcode <> g.node THEN 1 ELSE 2 END AS ord, g.adcode AS sort_adcode,
       CASE WHEN g.adcode = g.node AND g.basis = 'subtree' THEN 0 ELSE g.adcode END AS adcode,
       CASE WHEN g.adcode = g.node AND g.basis = 'subtree' THEN NULL ELSE g.name END AS name,
       CASE WHEN g.adcode = g.node AND g.basis = 'subtree' THEN NULL ELSE g.level END AS level,
       CASE WHEN g.basis = 'own' THEN 'own' WHEN g.adcode = g.node THEN 'total' ELSE 'child' END AS row_kind,
       g.entries::BIGINT AS entries, g.shareable::BIGINT AS shareable, g.open::BIGINT AS open,
       g.timely::BIGINT AS timely, g.objections_open::BIGINT AS objections_open,
       g.objections_resolved::BIGINT AS objections_resolved,
       g.objections_ontime::BIGINT AS objections_ontime,
       h.handling_days_median,
       CASE WHEN g.basis = 'own'
            THEN COALESCE(sum(CASE WHEN d.adcode = g.node THEN d.requests ELSE -d.requests END)
                              OVER (PARTITION BY g.node), 0)
            ELSE d.requests END::DOUBLE AS requests,
       CASE WHEN g.basis = 'own'
            THEN COALESCE(sum(CASE WHEN d.adcode = g.node THEN d.met ELSE -d.met END) OVER (PARTITION BY g.node), 0)
            ELSE d.met END::DOUBLE AS requests_met,
       g.last_day
FROM g
LEFT JOIN h ON h.node = g.node AND h.adcode = g.adcode AND h.basis = g.basis
LEFT JOIN demand d ON d.node = g.node AND d.adcode = g.adcode AND g.basis = 'subtree'
ORDER BY g.node, ord, sort_adcode;

-- 12345 work orders per region, counted at the snapshot's instant (t = as_of)
-- with the rules of emergency_hotline_daily/_topics, which read these when the
-- view's instant is as_of and count the orders themselves for an earlier one.
-- Per day of creation over the 90 days up to as_of:
CREATE TABLE work_order_daily AS
WITH o AS (
    SELECT w.adcode, CAST(w.created_at AS DATE) AS day,
           w.closed_at <= $as_of AS closed,
           CASE WHEN w.closed_at <= $as_of THEN w.closed_at <= w.due_at
                WHEN w.due_at < $as_of THEN false END AS on_time,
           CASE WHEN w.closed_at <= $as_of THEN w.satisfied END AS satisfied
    FROM work_order w
    WHERE w.created_at <= $as_of AND w.created_at > CAST($as_of AS TIMESTAMP) - INTERVAL 90 DAY
)
SELECT c.ancestor AS adcode, CAST($as_of AS TIMESTAMP) AS as_of, o.day,
       count(*) AS orders,
       count(*) FILTER (WHERE o.closed) AS closed,
       count(*) FILTER (WHERE o.on_time) AS on_time,
       count(o.on_time) AS decided,
       count(*) FILTER (WHERE o.satisfied) AS satisfied,
       count(o.satisfied) AS rated
FROM o
JOIN region_closure c ON c.descendant = o.adcode
GROUP BY c.ancestor, o.day
ORDER BY adcode, day;

-- Per topic over the 30 days up to as_of, plus one overall row per region
-- (total, topic NULL), also for a region without orders:
CREATE TABLE work_order_topic AS
WITH o AS (
    SELECT w.adcode, w.topic,
           CASE WHEN w.closed_at <= $as_of THEN w.closed_at <= w.due_at
                WHEN w.due_at < $as_of THEN false END AS on_time,
           CASE WHEN w.closed_at <= $as_of THEN w.satisfied END AS satisfied
    FROM work_order w
    WHERE w.created_at <= $as_of AND w.created_at > CAST($as_of AS TIMESTAMP) - INTERVAL 30 DAY
),
counted AS (
    SELECT c.ancestor AS adcode, o.topic, GROUPING(o.topic) = 1 AS total,
           count(*) AS orders,
           count(*) FILTER (WHERE o.on_time) AS on_time,
           count(o.on_time) AS decided,
           count(*) FILTER (WHERE o.satisfied) AS satisfied,
           count(o.satisfied) AS rated
    FROM o
    JOIN region_closure c ON c.descendant = o.adcode
    GROUP BY GROUPING SETS ((c.ancestor, o.topic), (c.ancestor))
)
SELECT adcode, CAST($as_of AS TIMESTAMP) AS as_of, topic, total, orders, on_time, decided, satisfied, rated
FROM counted
UNION ALL
SELECT r.adcode, CAST($as_of AS TIMESTAMP), NULL, true, 0, 0, 0, 0, 0
FROM region r
WHERE r.adcode NOT IN (SELECT adcode FROM counted)
ORDER BY adcode, total, topic;

-- emergency_response_stats at as_of, per region for its subtree: the events
-- reported in the 30 days up to as_of, per category plus one overall row
-- (category NULL, also for a region without events), with the rules of
-- queries/serve/emergency_response_stats.sql.
CREATE TABLE emergency_response_latest AS
WITH ev AS (
    SELECT c.ancestor AS adcode, e.category,
           CASE WHEN e.responded_at <= $as_of THEN date_diff('second', e.reported_at, e.responded_at) / 60.0 END
               AS response_min,
           CASE WHEN e.closed_at <= $as_of THEN date_diff('second', e.reported_at, e.closed_at) / 3600.0 END
               AS handling_h,
           CASE WHEN e.closed_at <= $as_of THEN e.closed_at <= e.deadline_at
                WHEN e.deadline_at < $as_of THEN false END AS on_time
    FROM event e
    JOIN region_closure c ON c.descendant = e.adcode
    WHERE e.reported_at <= $as_of AND e.reported_at > CAST($as_of AS TIMESTAMP) - INTERVAL 30 DAY
),
counted AS (
    SELECT adcode, category,
           count(*) AS events,
           count(response_min) AS responded,
           count(handling_h) AS closed,
           median(response_min) AS response_median_min,
           avg(response_min) AS response_avg_min,
           quantile_cont(response_min, 0.9) AS response_p90_min,
           median(handling_h) AS handling_median_h,
           avg(handling_h) AS handling_avg_h,
           quantile_cont(handling_h, 0.9) AS handling_p90_h,
           count(*) FILTER (WHERE on_time) AS on_time,
           count(on_time) AS decided
    FROM ev
    GROUP BY GROUPING SETS ((adcode, category), (adcode))
)
SELECT * FROM counted
UNION ALL
SELECT r.adcode, NULL, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0
FROM region r
WHERE r.adcode NOT IN (SELECT adcode FROM counted)
ORDER BY adcode, category NULLS LAST;

-- emergency_open_events at the snapshot's instant: the events still being
-- handled then, with status, overdue and elapsed counted at as_of by the rules
-- of queries/serve/emergency_open_events.sql. Its latest form reads these
-- instead of scanning every event for a bound known only when it runs.
CREATE TABLE event_open_latest AS
SELECT e.event_id, e.severity, e.category, e.subtype, e.title, e.unit,
       e.adcode, e.county, e.city, e.lon, e.lat,
       e.reported_at, CASE WHEN e.responded_at <= $as_of THEN e.responded_at END AS responded_at, e.deadline_at,
       CASE WHEN e.responded_at <= $as_of THEN '处置中' ELSE '接报' END AS status,
       e.deadline_at < $as_of AS overdue,
       date_diff('second', e.reported_at, CAST($as_of AS TIMESTAMP)) // 60 AS elapsed_minutes,
       CAST($as_of AS TIMESTAMP) AS as_of
FROM event e
WHERE e.reported_at <= $as_of AND (e.closed_at IS NULL OR e.closed_at > $as_of)
ORDER BY e.severity, e.reported_at, e.event_id;
