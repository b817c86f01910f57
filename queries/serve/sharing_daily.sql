-- Daily calls, successes and latency over the $days days up to $period (capped
-- at the last day the snapshot has), counted in the consumer's region like the
-- api_calls indicators: "how well is this region served".
WITH span AS (SELECT LEAST(max(day), CAST($period AS DATE)) AS last_day FROM sharing_flow)
SELECT f.day, sum(f.calls)::BIGINT AS calls, sum(f.calls_ok)::BIGINT AS calls_ok,
       sum(f.latency_ms_sum)::DOUBLE AS latency_ms_sum
FROM sharing_flow f
CROSS JOIN span
JOIN region_closure s ON s.descendant = f.consumer_adcode AND s.ancestor = $scope
JOIN region_closure h ON h.descendant = f.consumer_adcode AND h.ancestor = $adcode
WHERE f.day > span.last_day - CAST($days AS INTEGER) AND f.day <= span.last_day
GROUP BY f.day
ORDER BY f.day
