-- emergency_response_stats at the end of a day before the snapshot's instant:
-- the build's figures for that day end (emergency_response_end), the rows of
-- the deeper of $scope and $adcode. Where no event lies in the window there is
-- no row: the overall row then counts zero events, as the general form does.
WITH t AS (
    SELECT t.*
    FROM emergency_response_end t
    JOIN region_closure v ON v.descendant = t.adcode
     AND ((v.ancestor = $scope AND v.descendant = $adcode) OR (v.ancestor = $adcode AND v.descendant = $scope))
    WHERE t.ends_at = $period
)
SELECT category, events, responded, closed, response_median_min, response_avg_min, response_p90_min,
       handling_median_h, handling_avg_h, handling_p90_h, on_time, decided,
       on_time::DOUBLE / nullif(decided, 0) AS on_time_rate, ends_at AS as_of
FROM t
UNION ALL
SELECT NULL, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL, CAST($period AS TIMESTAMP)
WHERE NOT EXISTS (SELECT 1 FROM t)
ORDER BY category NULLS LAST
