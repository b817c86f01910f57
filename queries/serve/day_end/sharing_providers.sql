-- sharing_providers at the end of a day before the snapshot's instant, over
-- the screens' window: from the last flow day on, the view of
-- sharing_provider_tail (as in the general form); before it, the build's sums
-- for that day end (sharing_provider_end).
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
SELECT p.provider_dept, p.provider_adcode, p.provider_region, p.calls, p.calls_ok, p.latency_ms_sum,
       p.consumers, p.last_day_calls, p.last_day_calls_ok, p.last_day
FROM sharing_provider_end p
JOIN region_closure s ON s.descendant = p.adcode AND s.ancestor = $scope
WHERE p.adcode = $adcode AND p.ends_at = $period
ORDER BY calls DESC, provider_dept, provider_adcode
