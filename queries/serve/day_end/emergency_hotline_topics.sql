-- emergency_hotline_topics at the end of a day before the snapshot's instant
-- ($period = that day, 23:59:59): the build's counts for every such day end
-- (work_order_topic_end), the rows of the deeper of $scope and $adcode. Where
-- no order lies in the window there is no row: the overall row is then all
-- zero, as the general form counts it.
WITH t AS (
    SELECT t.topic, t.orders, t.on_time, t.decided, t.satisfied, t.rated
    FROM work_order_topic_end t
    JOIN region_closure v ON v.descendant = t.adcode
     AND ((v.ancestor = $scope AND v.descendant = $adcode) OR (v.ancestor = $adcode AND v.descendant = $scope))
    WHERE t.ends_at = $period
)
SELECT topic, orders, on_time, decided, on_time::DOUBLE / nullif(decided, 0) AS on_time_rate,
       satisfied, rated, satisfied::DOUBLE / nullif(rated, 0) AS satisfaction_rate
FROM t
UNION ALL
SELECT NULL, 0, 0, 0, NULL, 0, 0, NULL
WHERE NOT EXISTS (SELECT 1 FROM t)
ORDER BY topic IS NOT NULL, orders DESC, topic
