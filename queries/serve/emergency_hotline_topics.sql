-- 12345 work orders of the 30 days up to the view's instant by topic, in
-- $adcode's subtree (inside the scope), plus one overall row (topic NULL):
-- volume, on-time rate (as in emergency_hotline_daily) and satisfaction among
-- rated orders. Caller and phone are never selected.
WITH now AS (SELECT least(m.as_of, CAST($period AS TIMESTAMP)) AS t FROM snapshot_meta m),
o AS (
    SELECT w.topic,
           CASE WHEN w.closed_at <= now.t THEN w.closed_at <= w.due_at
                WHEN w.due_at < now.t THEN false END AS on_time,
           CASE WHEN w.closed_at <= now.t THEN w.satisfied END AS satisfied
    FROM work_order w
    CROSS JOIN now
    JOIN region_closure s ON s.descendant = w.adcode AND s.ancestor = $scope
    JOIN region_closure h ON h.descendant = w.adcode AND h.ancestor = $adcode
    WHERE w.created_at <= now.t AND w.created_at > now.t - INTERVAL 30 DAY
)
SELECT topic,
       count(*) AS orders,
       count(*) FILTER (WHERE on_time) AS on_time,
       count(on_time) AS decided,
       count(*) FILTER (WHERE on_time)::DOUBLE / nullif(count(on_time), 0) AS on_time_rate,
       count(*) FILTER (WHERE satisfied) AS satisfied,
       count(satisfied) AS rated,
       count(*) FILTER (WHERE satisfied)::DOUBLE / nullif(count(satisfied), 0) AS satisfaction_rate
FROM o
GROUP BY GROUPING SETS ((topic), ())
ORDER BY topic IS NOT NULL, orders DESC, topic
