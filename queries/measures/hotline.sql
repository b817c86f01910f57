-- 12345 work orders -> daily county measures. Days with no orders count as zero
-- from the first day the source has data.
WITH o AS (SELECT * FROM raw_work_order WHERE created_at <= $as_of),
days AS (
    SELECT d::DATE AS day
    FROM generate_series(
        GREATEST(CAST($window_start AS TIMESTAMP), (SELECT date_trunc('day', min(created_at)) FROM o)),
        CAST($as_of AS TIMESTAMP), INTERVAL 1 DAY) AS t(d)
),
created AS (
    SELECT adcode, created_at::DATE AS day,
           count(*) AS orders_new,
           count(*) FILTER (WHERE category = '投诉举报') AS complaints_new
    FROM o GROUP BY ALL
),
closed AS (
    SELECT adcode, closed_at::DATE AS day,
           count(*) AS orders_closed,
           count(*) FILTER (WHERE closed_at <= due_at) AS orders_closed_ontime,
           count(satisfied) AS orders_rated,
           count(*) FILTER (WHERE satisfied) AS orders_satisfied
    FROM o WHERE closed_at IS NOT NULL AND closed_at <= $as_of GROUP BY ALL
),
wide AS (
    SELECT l.adcode, d.day::TIMESTAMP AS period,
           COALESCE(c.orders_new, 0)::DOUBLE AS orders_new,
           COALESCE(c.complaints_new, 0)::DOUBLE AS complaints_new,
           COALESCE(x.orders_closed, 0)::DOUBLE AS orders_closed,
           COALESCE(x.orders_closed_ontime, 0)::DOUBLE AS orders_closed_ontime,
           COALESCE(x.orders_rated, 0)::DOUBLE AS orders_rated,
           COALESCE(x.orders_satisfied, 0)::DOUBLE AS orders_satisfied
    FROM leaf_region l CROSS JOIN days d
    LEFT JOIN created c ON c.adcode = l.adcode AND c.day = d.day
    LEFT JOIN closed x ON x.adcode = l.adcode AND x.day = d.day
)
UNPIVOT wide ON COLUMNS(* EXCLUDE (adcode, period)) INTO NAME measure VALUE value
