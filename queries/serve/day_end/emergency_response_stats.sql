-- emergency_response_stats at the end of a day before the snapshot's instant
-- ($period, earlier than as_of, so the view's instant itself): the events of
-- the deeper of $scope and $adcode as the build filed them under each region
-- (event_region, with their response and handling times worked out), counted
-- with the general form's rules.
WITH ev AS (
    SELECT e.category,
           CASE WHEN e.responded_at <= $period THEN e.response_min END AS response_min,
           CASE WHEN e.closed_at <= $period THEN e.handling_h END AS handling_h,
           CASE WHEN e.closed_at <= $period THEN e.closed_at <= e.deadline_at
                WHEN e.deadline_at < $period THEN false END AS on_time
    FROM event_region e
    JOIN region_closure v ON v.descendant = e.adcode
     AND ((v.ancestor = $scope AND v.descendant = $adcode) OR (v.ancestor = $adcode AND v.descendant = $scope))
    WHERE e.reported_at <= $period AND e.reported_at > CAST($period AS TIMESTAMP) - INTERVAL 30 DAY
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
       CAST($period AS TIMESTAMP) AS as_of
FROM ev
GROUP BY GROUPING SETS ((category), ())
ORDER BY category NULLS LAST
