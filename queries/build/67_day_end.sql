-- Serving tables for the day_end forms (queries/serve/day_end/): what a
-- serving query answers at the end of each day before the snapshot's instant.
-- A period in the URL (a day, month, quarter or year) ends at its last day's
-- 23:59:59, so these are the only instants before the snapshot's that the
-- screens ask for; each would otherwise count detail rows per request. Held
-- for the days $day_end_first..$day_end_last (queries/windows.py day_ends) and
-- the screens' windows only; rows carry the instant they answer for (ends_at)
-- and are sorted by it, so a request reads one instant's rows.

CREATE TEMP TABLE day_end AS
SELECT CAST(d AS DATE) AS end_day, CAST(d AS TIMESTAMP) + INTERVAL 86399 SECOND AS ends_at
FROM range(CAST($day_end_first AS TIMESTAMP), CAST($day_end_last AS TIMESTAMP) + INTERVAL 1 DAY, INTERVAL 1 DAY) t(d);

-- 12345 work orders per region (for its subtree) with, for each count they
-- enter, the first day at whose end they are in it: created_at <= D 23:59:59
-- from created_by on, closed_at likewise from closed_by, due_at < D 23:59:59
-- from overdue_by; decided from its close or from being overdue, whichever
-- comes first. The rules are those of emergency_hotline_daily.
CREATE TEMP TABLE work_order_by_end AS
WITH w AS (
    SELECT c.ancestor AS adcode, w.topic, CAST(w.created_at AS DATE) AS day,
           CAST(w.created_at + INTERVAL 999999 MICROSECOND AS DATE) AS created_by,
           CAST(w.closed_at + INTERVAL 999999 MICROSECOND AS DATE) AS closed_by,
           CAST(w.due_at + INTERVAL 1 SECOND AS DATE) AS overdue_by,
           w.closed_at <= w.due_at AS in_time, w.satisfied
    FROM work_order w
    JOIN region_closure c ON c.descendant = w.adcode
)
SELECT adcode, topic, day, created_by, closed_by,
       LEAST(CASE WHEN in_time IS NOT NULL THEN closed_by END, overdue_by) AS decided_by,
       CASE WHEN in_time THEN closed_by END AS on_time_by,
       CASE WHEN satisfied THEN closed_by END AS satisfied_by,
       CASE WHEN satisfied IS NOT NULL THEN closed_by END AS rated_by,
       count(*) AS n
FROM w
GROUP BY ALL;

-- emergency_hotline_daily: per day of creation over the 90 days up to each day
-- end. Each count of an order holds from the day end it starts at (created_by,
-- closed_by, ...) until the order leaves the window: the counts change on a few
-- days only, so they are summed as changes and run up per region and day of
-- creation, and each running total is written out for the day ends it holds
-- for (rather than joining every order to its 90 day ends).
CREATE TABLE work_order_daily_end AS
WITH o AS (
    SELECT adcode, day, created_by, closed_by, decided_by, on_time_by, satisfied_by, rated_by, sum(n) AS n
    FROM work_order_by_end
    GROUP BY ALL
),
starts AS (
    SELECT o.adcode, o.day, o.created_by, o.n, s.what, GREATEST(s.since, o.created_by) AS since
    FROM o, LATERAL (VALUES ('orders', o.created_by), ('closed', o.closed_by), ('on_time', o.on_time_by),
                            ('decided', o.decided_by), ('satisfied', o.satisfied_by), ('rated', o.rated_by)) s(what, since)
    WHERE s.since < o.created_by + 90
),
change AS (
    SELECT adcode, day, since AS on_day, what, n FROM starts
    UNION ALL
    SELECT adcode, day, created_by + 90, what, -n FROM starts
),
per_day AS (
    SELECT adcode, day, on_day,
           COALESCE(sum(n) FILTER (WHERE what = 'orders'), 0) AS orders,
           COALESCE(sum(n) FILTER (WHERE what = 'closed'), 0) AS closed,
           COALESCE(sum(n) FILTER (WHERE what = 'on_time'), 0) AS on_time,
           COALESCE(sum(n) FILTER (WHERE what = 'decided'), 0) AS decided,
           COALESCE(sum(n) FILTER (WHERE what = 'satisfied'), 0) AS satisfied,
           COALESCE(sum(n) FILTER (WHERE what = 'rated'), 0) AS rated
    FROM change
    GROUP BY adcode, day, on_day
),
running AS (
    SELECT adcode, day, on_day, lead(on_day) OVER w AS until,
           sum(orders) OVER c AS orders, sum(closed) OVER c AS closed, sum(on_time) OVER c AS on_time,
           sum(decided) OVER c AS decided, sum(satisfied) OVER c AS satisfied, sum(rated) OVER c AS rated
    FROM per_day
    WINDOW w AS (PARTITION BY adcode, day ORDER BY on_day),
           c AS (PARTITION BY adcode, day ORDER BY on_day ROWS UNBOUNDED PRECEDING)
)
SELECT r.adcode, e.ends_at, r.day, r.orders::BIGINT AS orders, r.closed::BIGINT AS closed,
       r.on_time::BIGINT AS on_time, r.decided::BIGINT AS decided, r.satisfied::BIGINT AS satisfied,
       r.rated::BIGINT AS rated
FROM running r
JOIN day_end e ON e.end_day >= r.on_day AND e.end_day < COALESCE(r.until, DATE '9999-12-31')
WHERE r.orders > 0
ORDER BY ends_at, adcode, day;

-- emergency_hotline_topics: per topic over the 30 days up to each day end, plus
-- one overall row (total), counted as changes like work_order_daily_end. A
-- region without orders then has no row; its query answers zeros.
CREATE TABLE work_order_topic_end AS
WITH o AS (
    SELECT adcode, topic, created_by, closed_by, decided_by, on_time_by, satisfied_by, rated_by, sum(n) AS n
    FROM work_order_by_end
    GROUP BY ALL
),
starts AS (
    SELECT o.adcode, o.topic, o.created_by, o.n, s.what, GREATEST(s.since, o.created_by) AS since
    FROM o, LATERAL (VALUES ('orders', o.created_by), ('on_time', o.on_time_by), ('decided', o.decided_by),
                            ('satisfied', o.satisfied_by), ('rated', o.rated_by)) s(what, since)
    WHERE s.since < o.created_by + 30
),
change AS (
    SELECT adcode, topic, since AS on_day, what, n FROM starts
    UNION ALL
    SELECT adcode, topic, created_by + 30, what, -n FROM starts
),
per_day AS (
    SELECT adcode, topic, on_day,
           COALESCE(sum(n) FILTER (WHERE what = 'orders'), 0) AS orders,
           COALESCE(sum(n) FILTER (WHERE what = 'on_time'), 0) AS on_time,
           COALESCE(sum(n) FILTER (WHERE what = 'decided'), 0) AS decided,
           COALESCE(sum(n) FILTER (WHERE what = 'satisfied'), 0) AS satisfied,
           COALESCE(sum(n) FILTER (WHERE what = 'rated'), 0) AS rated
    FROM change
    GROUP BY adcode, topic, on_day
),
running AS (
    SELECT adcode, topic, on_day, lead(on_day) OVER w AS until,
           sum(orders) OVER c AS orders, sum(on_time) OVER c AS on_time, sum(decided) OVER c AS decided,
           sum(satisfied) OVER c AS satisfied, sum(rated) OVER c AS rated
    FROM per_day
    WINDOW w AS (PARTITION BY adcode, topic ORDER BY on_day),
           c AS (PARTITION BY adcode, topic ORDER BY on_day ROWS UNBOUNDED PRECEDING)
),
counted AS (
    SELECT r.adcode, e.ends_at, r.topic, GROUPING(r.topic) = 1 AS total,
           sum(r.orders)::BIGINT AS orders, sum(r.on_time)::BIGINT AS on_time, sum(r.decided)::BIGINT AS decided,
           sum(r.satisfied)::BIGINT AS satisfied, sum(r.rated)::BIGINT AS rated
    FROM running r
    JOIN day_end e ON e.end_day >= r.on_day AND e.end_day < COALESCE(r.until, DATE '9999-12-31')
    WHERE r.orders > 0
    GROUP BY GROUPING SETS ((r.adcode, e.ends_at, r.topic), (r.adcode, e.ends_at))
)
SELECT adcode, ends_at, topic, total, orders, on_time, decided, satisfied, rated
FROM counted
ORDER BY ends_at, adcode, total, topic;

-- sharing_provider_daily over the screens' window ($flow_days days) up to each
-- day end before the last flow day (from it on the view is sharing_provider_tail's),
-- with the rules of sharing_providers' sum: a day's calls count while the day
-- is in the window, a (provider, consumer) pair's consumer until its next day
-- (next_day) or the end of the window, and the calls of the day end's own day
-- on that day. Summed as changes and run up per provider, as above.
CREATE TABLE sharing_provider_end AS
WITH d AS (   -- one row per provider, day and next day of a pair
    SELECT adcode, provider_dept, provider_adcode, provider_region, day, next_day, calls, calls_ok, latency_ms_sum,
           consumers, last_flow_day
    FROM sharing_provider_daily
),
change AS (   -- what a day's rows add to the window's sums from that day, and take away when they leave it
    SELECT adcode, provider_dept, provider_adcode, provider_region, last_flow_day, day AS on_day,
           1 AS present, calls, calls_ok, latency_ms_sum, consumers, calls AS today, calls_ok AS today_ok
    FROM d
    UNION ALL
    SELECT adcode, provider_dept, provider_adcode, provider_region, last_flow_day, day + CAST($flow_days AS INTEGER),
           -1, -calls, -calls_ok, -latency_ms_sum, 0, 0, 0
    FROM d
    UNION ALL  -- a pair counts once, on its last day in the window
    SELECT adcode, provider_dept, provider_adcode, provider_region, last_flow_day,
           LEAST(COALESCE(next_day, day + CAST($flow_days AS INTEGER)), day + CAST($flow_days AS INTEGER)),
           0, 0, 0, 0, -consumers, 0, 0
    FROM d
    UNION ALL
    SELECT adcode, provider_dept, provider_adcode, provider_region, last_flow_day, day + 1,
           0, 0, 0, 0, 0, -calls, -calls_ok
    FROM d
),
per_day AS (
    SELECT adcode, provider_dept, provider_adcode, provider_region, any_value(last_flow_day) AS last_flow_day, on_day,
           sum(present) AS present, sum(calls) AS calls, sum(calls_ok) AS calls_ok,
           sum(latency_ms_sum) AS latency_ms_sum, sum(consumers) AS consumers,
           sum(today) AS today, sum(today_ok) AS today_ok
    FROM change
    GROUP BY adcode, provider_dept, provider_adcode, provider_region, on_day
),
running AS (
    SELECT adcode, provider_dept, provider_adcode, provider_region, last_flow_day, on_day, lead(on_day) OVER w AS until,
           sum(present) OVER c AS present, sum(calls) OVER c AS calls, sum(calls_ok) OVER c AS calls_ok,
           sum(latency_ms_sum) OVER c AS latency_ms_sum, sum(consumers) OVER c AS consumers,
           sum(today) OVER c AS today, sum(today_ok) OVER c AS today_ok
    FROM per_day
    WINDOW w AS (PARTITION BY adcode, provider_dept, provider_adcode, provider_region ORDER BY on_day),
           c AS (PARTITION BY adcode, provider_dept, provider_adcode, provider_region ORDER BY on_day ROWS UNBOUNDED PRECEDING)
)
SELECT r.adcode, e.ends_at, r.provider_dept, r.provider_adcode, r.provider_region,
       r.calls::BIGINT AS calls, r.calls_ok::BIGINT AS calls_ok, r.latency_ms_sum::DOUBLE AS latency_ms_sum,
       r.consumers::BIGINT AS consumers, r.today::BIGINT AS last_day_calls, r.today_ok::BIGINT AS last_day_calls_ok,
       e.end_day AS last_day
FROM running r
JOIN day_end e ON e.end_day >= r.on_day AND e.end_day < COALESCE(r.until, DATE '9999-12-31')
WHERE r.present > 0 AND e.end_day < r.last_flow_day
ORDER BY ends_at, adcode;

-- sharing_catalog over the screens' window and demand indicator, whole, for
-- every region and day end: sharing_catalog_latest's rows at each day end
-- instead of the snapshot's instant (see there), from the sharing_catalog_day
-- rows in force on the window's last day and on the day before it.
CREATE TABLE sharing_catalog_end AS
WITH m AS (
    SELECT ends_at, end_day AS last_day, end_day - GREATEST(CAST($flow_days AS INTEGER), 0) AS before_day
    FROM day_end
),
span AS (
    SELECT c.*, COALESCE(c.day, DATE '0001-01-01') AS since, COALESCE(c.next_day, DATE '9999-12-31') AS until
    FROM sharing_catalog_day c
),
c AS (   -- the rows in force on a window's last day, and on the day before it
    SELECT s.*, m.ends_at, m.last_day, true AS at_last, s.since <= m.before_day AND s.until > m.before_day AS at_before
    FROM span s JOIN m ON s.since <= m.last_day AND s.until > m.last_day
    UNION ALL
    SELECT s.*, m.ends_at, m.last_day, false, true
    FROM span s JOIN m ON s.since <= m.before_day AND s.until > m.before_day
    WHERE NOT (s.since <= m.last_day AND s.until > m.last_day)
),
shown AS (   -- a row is in its own region's panel and, as a child, in its parent's
    SELECT c.adcode AS node, c.* FROM c
    UNION ALL
    SELECT c.parent AS node, c.* FROM c WHERE c.basis = 'subtree' AND c.parent IS NOT NULL
),
g AS (
    SELECT ends_at, node, adcode, basis, any_value(name) AS name, any_value(level) AS level,
           any_value(last_day) AS last_day,
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
    GROUP BY ends_at, node, adcode, basis
),
hx AS (
    SELECT m.ends_at, x.* FROM sharing_catalog_handling x JOIN m ON x.day > m.before_day AND x.day <= m.last_day
),
h AS (
    SELECT ends_at, node, adcode, basis, median(handling_days) AS handling_days_median
    FROM (SELECT adcode AS node, * FROM hx
          UNION ALL
          SELECT parent AS node, * FROM hx WHERE basis = 'subtree' AND parent IS NOT NULL)
    GROUP BY ends_at, node, adcode, basis
),
vx AS (
    SELECT m.ends_at, v.adcode, v.parent, v.num, v.den
    FROM indicator_value v
    JOIN m ON v.period::DATE > m.last_day - CAST($flow_days AS INTEGER) AND v.period::DATE <= m.last_day
    WHERE v.indicator = $catalog_demand_indicator
),
demand AS (
    SELECT ends_at, node, adcode, sum(num) AS met, sum(den) AS requests
    FROM (SELECT adcode AS node, * FROM vx UNION ALL SELECT parent AS node, * FROM vx WHERE parent IS NOT NULL)
    GROUP BY ends_at, node, adcode
)
SELECT g.ends_at, g.node,
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
                              OVER (PARTITION BY g.ends_at, g.node), 0)
            ELSE d.requests END::DOUBLE AS requests,
       CASE WHEN g.basis = 'own'
            THEN COALESCE(sum(CASE WHEN d.adcode = g.node THEN d.met ELSE -d.met END)
                              OVER (PARTITION BY g.ends_at, g.node), 0)
            ELSE d.met END::DOUBLE AS requests_met,
       g.last_day
FROM g
LEFT JOIN h ON h.ends_at = g.ends_at AND h.node = g.node AND h.adcode = g.adcode AND h.basis = g.basis
LEFT JOIN demand d ON d.ends_at = g.ends_at AND d.node = g.node AND d.adcode = g.adcode AND g.basis = 'subtree'
ORDER BY g.ends_at, g.node, ord, sort_adcode;

-- sharing_region_flows over the screens' window up to each day end before the
-- last flow day (from it on the view is sharing_node_window's), per region:
-- what the general form sums from sharing_node_daily, with the nodes' names
-- and places.
CREATE TABLE sharing_node_end AS
WITH f AS (
    SELECT d.adcode, e.ends_at, d.provider_node, d.consumer_node, d.provider_inside, d.consumer_inside,
           sum(d.calls)::BIGINT AS calls, sum(d.calls_ok)::BIGINT AS calls_ok,
           sum(d.latency_ms_sum)::DOUBLE AS latency_ms_sum, e.end_day AS last_day
    FROM sharing_node_daily d
    JOIN day_end e ON d.day > e.end_day - CAST($flow_days AS INTEGER) AND d.day <= e.end_day
    WHERE e.end_day < d.last_flow_day
    GROUP BY ALL
)
SELECT f.adcode, f.ends_at, f.provider_node, p.name AS provider_name, p.level AS provider_level,
       p.lon AS provider_lon, p.lat AS provider_lat,
       f.consumer_node, c.name AS consumer_name, c.level AS consumer_level,
       c.lon AS consumer_lon, c.lat AS consumer_lat,
       f.provider_inside, f.consumer_inside, f.calls, f.calls_ok, f.latency_ms_sum,
       f.last_day - CAST($flow_days AS INTEGER) + 1 AS first_day, f.last_day
FROM f
JOIN region p ON p.adcode = f.provider_node
JOIN region c ON c.adcode = f.consumer_node
ORDER BY f.ends_at, f.adcode, f.calls DESC, f.provider_node, f.consumer_node;

-- emergency_open_events at each day end: the events being handled then, with
-- status, overdue and elapsed counted at that instant (event_open_latest's
-- rules). An event is open from its report until it is closed.
CREATE TABLE event_open_end AS
SELECT d.ends_at, e.event_id, e.severity, e.category, e.subtype, e.title, e.unit,
       e.adcode, e.county, e.city, e.lon, e.lat,
       e.reported_at, CASE WHEN e.responded_at <= d.ends_at THEN e.responded_at END AS responded_at, e.deadline_at,
       CASE WHEN e.responded_at <= d.ends_at THEN '处置中' ELSE '接报' END AS status,
       e.deadline_at < d.ends_at AS overdue,
       date_diff('second', e.reported_at, d.ends_at) // 60 AS elapsed_minutes
FROM event e
JOIN day_end d ON e.reported_at <= d.ends_at AND COALESCE(e.closed_at, TIMESTAMP 'infinity') > d.ends_at
ORDER BY d.ends_at, e.severity, e.reported_at, e.event_id;

-- emergency_response_stats at each day end, per region for its subtree: the
-- events reported in the 30 days up to it (event_in_window), per category,
-- then one overall row, with emergency_response_latest's rules counted at that
-- instant. A region without events in the window has no row; its query answers
-- zeros. Medians and percentiles keep every value they are given (30 M for
-- China): the regions are counted one level of the tree at a time ($depth,
-- see pipeline/build.py), and the two kinds of row apart (GROUPING SETS with
-- these aggregates took 133 s for China; this, 21 s within the build's 3 GB).
CREATE TEMP VIEW event_in_window AS
SELECT c.ancestor AS adcode, d.ends_at, e.category,
       CASE WHEN e.responded_at <= d.ends_at THEN date_diff('second', e.reported_at, e.responded_at) / 60.0 END
           AS response_min,
       CASE WHEN e.closed_at <= d.ends_at THEN date_diff('second', e.reported_at, e.closed_at) / 3600.0 END
           AS handling_h,
       CASE WHEN e.closed_at <= d.ends_at THEN e.closed_at <= e.deadline_at
            WHEN e.deadline_at < d.ends_at THEN false END AS on_time
FROM event e
JOIN day_end d ON e.reported_at <= d.ends_at AND e.reported_at > d.ends_at - INTERVAL 30 DAY
JOIN region_closure c ON c.descendant = e.adcode;

CREATE TABLE emergency_response_end (
    adcode INTEGER, ends_at TIMESTAMP, category VARCHAR, events BIGINT, responded BIGINT, closed BIGINT,
    response_median_min DOUBLE, response_avg_min DOUBLE, response_p90_min DOUBLE,
    handling_median_h DOUBLE, handling_avg_h DOUBLE, handling_p90_h DOUBLE, on_time BIGINT, decided BIGINT
);

INSERT INTO emergency_response_end
SELECT adcode, ends_at, category,
       count(*), count(response_min), count(handling_h),
       median(response_min), avg(response_min), quantile_cont(response_min, 0.9),
       median(handling_h), avg(handling_h), quantile_cont(handling_h, 0.9),
       count(*) FILTER (WHERE on_time), count(on_time)
FROM event_in_window
WHERE adcode IN (SELECT adcode FROM region WHERE depth = $depth)
GROUP BY adcode, ends_at, category
ORDER BY ends_at, adcode, category;

INSERT INTO emergency_response_end
SELECT adcode, ends_at, NULL,
       count(*), count(response_min), count(handling_h),
       median(response_min), avg(response_min), quantile_cont(response_min, 0.9),
       median(handling_h), avg(handling_h), quantile_cont(handling_h, 0.9),
       count(*) FILTER (WHERE on_time), count(on_time)
FROM event_in_window
WHERE adcode IN (SELECT adcode FROM region WHERE depth = $depth)
GROUP BY adcode, ends_at
ORDER BY ends_at, adcode;
