-- emergency_hotline_daily at the end of a day before the snapshot's instant
-- ($period = that day, 23:59:59, the instant a period in the URL ends): the
-- build's counts for every such day end (work_order_daily_end), the rows of
-- the deeper of $scope and $adcode.
SELECT d.day, d.orders, d.closed, d.on_time, d.decided, d.on_time::DOUBLE / nullif(d.decided, 0) AS on_time_rate,
       d.satisfied, d.rated, d.day = CAST(d.ends_at AS DATE) AS partial
FROM work_order_daily_end d
JOIN region_closure v ON v.descendant = d.adcode
 AND ((v.ancestor = $scope AND v.descendant = $adcode) OR (v.ancestor = $adcode AND v.descendant = $scope))
WHERE d.ends_at = $period
ORDER BY day
