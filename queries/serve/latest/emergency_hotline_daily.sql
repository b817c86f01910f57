-- emergency_hotline_daily at the snapshot's instant: the build's counts
-- (work_order_daily), the rows of the deeper of $scope and $adcode.
SELECT d.day, d.orders, d.closed, d.on_time, d.decided, d.on_time::DOUBLE / nullif(d.decided, 0) AS on_time_rate,
       d.satisfied, d.rated, d.day = CAST(d.as_of AS DATE) AS partial
FROM work_order_daily d
JOIN region_closure v ON v.descendant = d.adcode
 AND ((v.ancestor = $scope AND v.descendant = $adcode) OR (v.ancestor = $adcode AND v.descendant = $scope))
ORDER BY day
