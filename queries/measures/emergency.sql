-- Emergency events -> daily county measures (catalog: measures with source "emergency").
-- A day's stock ("open") is counted at the day's end, or at $as_of for today,
-- so the last point always means "right now".
WITH ev AS (
    SELECT * FROM raw_emergency_event WHERE reported_at <= $as_of
),
days AS (
    SELECT d::DATE AS day,
           LEAST(d + INTERVAL 1 DAY, $as_of) AS day_end
    FROM generate_series(
        GREATEST(CAST($window_start AS TIMESTAMP), (SELECT date_trunc('day', min(reported_at)) FROM ev)),
        CAST($as_of AS TIMESTAMP), INTERVAL 1 DAY) AS t(d)
),
grid AS (
    SELECT l.adcode, d.day, d.day_end FROM leaf_region l CROSS JOIN days d
),
new_ AS (
    SELECT adcode, reported_at::DATE AS day, count(*) AS events_new FROM ev GROUP BY ALL
),
open_ AS (
    SELECT g.adcode, g.day,
           count(*) AS events_open,
           count(*) FILTER (WHERE e.severity <= 3) AS events_major_open
    FROM grid g JOIN ev e
      ON e.adcode = g.adcode AND e.reported_at < g.day_end
     AND (e.closed_at IS NULL OR e.closed_at >= g.day_end)
    GROUP BY ALL
),
responded AS (
    SELECT adcode, responded_at::DATE AS day,
           count(*) AS responded_count,
           sum(date_diff('second', reported_at, responded_at)) / 60.0 AS response_minutes_sum
    FROM ev WHERE responded_at IS NOT NULL AND responded_at <= $as_of GROUP BY ALL
),
closed AS (
    SELECT adcode, closed_at::DATE AS day,
           count(*) AS closed_count,
           count(*) FILTER (WHERE closed_at <= deadline_at) AS closed_ontime_count,
           sum(date_diff('second', COALESCE(responded_at, reported_at), closed_at)) / 3600.0 AS handling_hours_sum
    FROM ev WHERE closed_at IS NOT NULL AND closed_at <= $as_of GROUP BY ALL
),
wide AS (
    SELECT g.adcode, g.day::TIMESTAMP AS period,
           COALESCE(n.events_new, 0)::DOUBLE AS events_new,
           COALESCE(o.events_open, 0)::DOUBLE AS events_open,
           COALESCE(o.events_major_open, 0)::DOUBLE AS events_major_open,
           COALESCE(r.response_minutes_sum, 0)::DOUBLE AS response_minutes_sum,
           COALESCE(r.responded_count, 0)::DOUBLE AS responded_count,
           COALESCE(c.handling_hours_sum, 0)::DOUBLE AS handling_hours_sum,
           COALESCE(c.closed_count, 0)::DOUBLE AS closed_count,
           COALESCE(c.closed_ontime_count, 0)::DOUBLE AS closed_ontime_count
    FROM grid g
    LEFT JOIN new_ n USING (adcode, day)
    LEFT JOIN open_ o USING (adcode, day)
    LEFT JOIN responded r USING (adcode, day)
    LEFT JOIN closed c USING (adcode, day)
)
UNPIVOT wide ON COLUMNS(* EXCLUDE (adcode, period)) INTO NAME measure VALUE value
