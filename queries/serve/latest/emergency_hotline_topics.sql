-- emergency_hotline_topics at the snapshot's instant: the build's counts
-- (work_order_topic), the rows of the deeper of $scope and $adcode.
SELECT t.topic, t.orders, t.on_time, t.decided, t.on_time::DOUBLE / nullif(t.decided, 0) AS on_time_rate,
       t.satisfied, t.rated, t.satisfied::DOUBLE / nullif(t.rated, 0) AS satisfaction_rate
FROM work_order_topic t
JOIN region_closure v ON v.descendant = t.adcode
 AND ((v.ancestor = $scope AND v.descendant = $adcode) OR (v.ancestor = $adcode AND v.descendant = $scope))
ORDER BY topic IS NOT NULL, orders DESC, topic
