-- emergency_response_stats at the snapshot's instant: the build's figures
-- (emergency_response_latest), the rows of the deeper of $scope and $adcode.
SELECT t.category, t.events, t.responded, t.closed,
       t.response_median_min, t.response_avg_min, t.response_p90_min,
       t.handling_median_h, t.handling_avg_h, t.handling_p90_h,
       t.on_time, t.decided, t.on_time::DOUBLE / nullif(t.decided, 0) AS on_time_rate, m.as_of
FROM emergency_response_latest t
JOIN region_closure v ON v.descendant = t.adcode
 AND ((v.ancestor = $scope AND v.descendant = $adcode) OR (v.ancestor = $adcode AND v.descendant = $scope))
CROSS JOIN snapshot_meta m
ORDER BY t.category NULLS LAST
