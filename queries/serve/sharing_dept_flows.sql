-- Calls between departments over the $days days up to $period (capped at the
-- last day the snapshot has), for calls with either end in $adcode's subtree.
-- Departments of $adcode and of the regions above it keep their names (kind
-- 'named'); those below it, and those of other regions, are merged by their
-- line of work, the name without its region prefix (kind 'below' / 'beside'):
-- a Sankey of a thousand departments says nothing, one of "county market
-- regulators" does; drilling down names them. The build keeps these per region
-- and day (sharing_dept_daily). Access: $adcode must lie inside $scope.
SELECT d.provider_kind, d.provider, d.consumer_kind, d.consumer,
       sum(d.calls)::BIGINT AS calls, sum(d.calls_ok)::BIGINT AS calls_ok,
       sum(d.latency_ms_sum)::DOUBLE AS latency_ms_sum
FROM sharing_dept_daily d
JOIN region_closure s ON s.descendant = d.adcode AND s.ancestor = $scope
WHERE d.adcode = $adcode
  AND d.day > LEAST(d.last_flow_day, CAST($period AS DATE)) - CAST($days AS INTEGER)
  AND d.day <= LEAST(d.last_flow_day, CAST($period AS DATE))
GROUP BY ALL
ORDER BY calls DESC, d.provider_kind, d.provider, d.consumer_kind, d.consumer
