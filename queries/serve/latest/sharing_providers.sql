-- sharing_providers at the snapshot's instant, a window ending on the last
-- flow day: one row per provider of sharing_provider_tail.
SELECT t.provider_dept, t.provider_adcode, t.provider_region,
       t.calls::BIGINT AS calls, t.calls_ok::BIGINT AS calls_ok, t.latency_ms_sum::DOUBLE AS latency_ms_sum,
       t.consumers::BIGINT AS consumers, t.last_day_calls::BIGINT AS last_day_calls,
       t.last_day_calls_ok::BIGINT AS last_day_calls_ok, t.last_flow_day AS last_day
FROM sharing_provider_tail t
JOIN region_closure s ON s.descendant = t.adcode AND s.ancestor = $scope
WHERE t.adcode = $adcode
  AND t.day > t.last_flow_day - CAST($days AS INTEGER)
  AND (t.prev_day <= t.last_flow_day - CAST($days AS INTEGER) OR t.prev_day IS NULL)
ORDER BY calls DESC, provider_dept, provider_adcode
