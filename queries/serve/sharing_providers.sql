-- Per provider department: calls, success and latency over the $days days up to
-- $period (capped at the last day the snapshot has) and on that last day, for
-- calls with either end in $adcode's subtree. Grouped by provider, not by
-- consumer: a failing provider is spread thin over many consumers and only
-- stands out here. Access: $adcode must lie inside $scope.
-- A window ending on the last flow day (any $period from it on) is one row per
-- provider of sharing_provider_tail; one ending earlier, on $period's day, sums
-- sharing_provider_daily, where a consumer counts on its last day in the window.
SELECT t.provider_dept, t.provider_adcode, t.provider_region,
       t.calls::BIGINT AS calls, t.calls_ok::BIGINT AS calls_ok, t.latency_ms_sum::DOUBLE AS latency_ms_sum,
       t.consumers::BIGINT AS consumers, t.last_day_calls::BIGINT AS last_day_calls,
       t.last_day_calls_ok::BIGINT AS last_day_calls_ok, t.last_flow_day AS last_day
FROM sharing_provider_tail t
JOIN region_closure s ON s.descendant = t.adcode AND s.ancestor = $scope
WHERE t.adcode = $adcode AND t.last_flow_day <= CAST($period AS DATE)
  AND t.day > t.last_flow_day - CAST($days AS INTEGER)
  AND (t.prev_day <= t.last_flow_day - CAST($days AS INTEGER) OR t.prev_day IS NULL)
UNION ALL
SELECT p.provider_dept, p.provider_adcode, p.provider_region,
       sum(p.calls)::BIGINT, sum(p.calls_ok)::BIGINT, sum(p.latency_ms_sum)::DOUBLE,
       COALESCE(sum(p.consumers) FILTER (WHERE p.next_day > CAST($period AS DATE) OR p.next_day IS NULL), 0)::BIGINT,
       COALESCE(sum(p.calls) FILTER (WHERE p.day = CAST($period AS DATE)), 0)::BIGINT,
       COALESCE(sum(p.calls_ok) FILTER (WHERE p.day = CAST($period AS DATE)), 0)::BIGINT,
       CAST($period AS DATE)
FROM sharing_provider_daily p
JOIN region_closure s ON s.descendant = p.adcode AND s.ancestor = $scope
WHERE p.adcode = $adcode AND p.last_flow_day > CAST($period AS DATE)
  AND p.day > CAST($period AS DATE) - CAST($days AS INTEGER) AND p.day <= CAST($period AS DATE)
GROUP BY p.provider_dept, p.provider_adcode, p.provider_region
ORDER BY calls DESC, provider_dept, provider_adcode
