-- 12345 work orders of the 30 days up to the view's instant by topic, in
-- $adcode's subtree (inside the scope), plus one overall row (topic NULL):
-- volume, on-time rate (as in emergency_hotline_daily) and satisfaction among
-- rated orders. Caller and phone are never selected. At the snapshot's instant
-- ($period from as_of on) the build has counted them (work_order_topic, rows of
-- the deeper of $scope and $adcode); at an earlier instant, $period itself,
-- they are counted here with the same rules.
SELECT t.topic, t.orders, t.on_time, t.decided, t.on_time::DOUBLE / nullif(t.decided, 0) AS on_time_rate,
       t.satisfied, t.rated, t.satisfied::DOUBLE / nullif(t.rated, 0) AS satisfaction_rate
FROM work_order_topic t
JOIN region_closure v ON v.descendant = t.adcode
 AND ((v.ancestor = $scope AND v.descendant = $adcode) OR (v.ancestor = $adcode AND v.descendant = $scope))
WHERE t.as_of <= $period
UNION ALL
SELECT o.*
FROM (
    SELECT w.topic,
           count(*) AS orders,
           count(*) FILTER (WHERE w.closed_at <= $period AND w.closed_at <= w.due_at) AS on_time,
           count(CASE WHEN w.closed_at <= $period THEN w.closed_at <= w.due_at
                      WHEN w.due_at < $period THEN false END) AS decided,
           count(*) FILTER (WHERE w.closed_at <= $period AND w.closed_at <= w.due_at)::DOUBLE
               / nullif(count(CASE WHEN w.closed_at <= $period THEN w.closed_at <= w.due_at
                                   WHEN w.due_at < $period THEN false END), 0) AS on_time_rate,
           count(*) FILTER (WHERE w.closed_at <= $period AND w.satisfied) AS satisfied,
           count(CASE WHEN w.closed_at <= $period THEN w.satisfied END) AS rated,
           count(*) FILTER (WHERE w.closed_at <= $period AND w.satisfied)::DOUBLE
               / nullif(count(CASE WHEN w.closed_at <= $period THEN w.satisfied END), 0) AS satisfaction_rate
    FROM work_order w
    JOIN region_closure s ON s.descendant = w.adcode AND s.ancestor = $scope
    JOIN region_closure h ON h.descendant = w.adcode AND h.ancestor = $adcode
    WHERE w.created_at <= $period AND w.created_at > CAST($period AS TIMESTAMP) - INTERVAL 30 DAY
    GROUP BY GROUPING SETS ((w.topic), ())
) o
JOIN snapshot_meta m ON m.as_of > $period
ORDER BY topic IS NOT NULL, orders DESC, topic
