-- Daily calls, successes and latency over the $days days up to $period (capped
-- at the last day the snapshot has), counted in the consumer's region like the
-- api_calls indicators: "how well is this region served". The closure row
-- linking $scope and $adcode names the deeper of the two: its rows cover
-- exactly the consumers inside both.
SELECT d.day, d.calls::BIGINT AS calls, d.calls_ok::BIGINT AS calls_ok, d.latency_ms_sum::DOUBLE AS latency_ms_sum
FROM sharing_region_daily d
JOIN region_closure v ON v.descendant = d.adcode
 AND ((v.ancestor = $scope AND v.descendant = $adcode) OR (v.ancestor = $adcode AND v.descendant = $scope))
WHERE d.day > LEAST(d.last_flow_day, CAST($period AS DATE)) - CAST($days AS INTEGER)
  AND d.day <= LEAST(d.last_flow_day, CAST($period AS DATE))
ORDER BY d.day
