-- Response and handling times of the events reported in the 30 days up to the
-- view's instant, per category plus one overall row (category NULL).
-- Response = reported -> handling started; handling = reported -> closed (办结用时).
-- Timestamps after the instant count as not yet happened.
WITH now AS (SELECT least(m.as_of, CAST($period AS TIMESTAMP)) AS t FROM snapshot_meta m),
ev AS (
    SELECT e.category,
           CASE WHEN e.responded_at <= now.t THEN date_diff('second', e.reported_at, e.responded_at) / 60.0 END
               AS response_min,
           CASE WHEN e.closed_at <= now.t THEN date_diff('second', e.reported_at, e.closed_at) / 3600.0 END
               AS handling_h,
           CASE WHEN e.closed_at <= now.t THEN e.closed_at <= e.deadline_at
                WHEN e.deadline_at < now.t THEN false END AS on_time
    FROM event e
    CROSS JOIN now
    JOIN region_closure s ON s.descendant = e.adcode AND s.ancestor = $scope
    JOIN region_closure h ON h.descendant = e.adcode AND h.ancestor = $adcode
    WHERE e.reported_at <= now.t AND e.reported_at > now.t - INTERVAL 30 DAY
)
SELECT category,
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
       count(on_time) AS decided,
       count(*) FILTER (WHERE on_time)::DOUBLE / nullif(count(on_time), 0) AS on_time_rate,
       (SELECT t FROM now) AS as_of
FROM ev
GROUP BY GROUPING SETS ((category), ())
ORDER BY category NULLS LAST
