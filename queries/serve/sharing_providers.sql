-- Per provider department: calls, success and latency over the $days days up to
-- $period (capped at the last day the snapshot has) and on that last day, for
-- calls with either end in $adcode's subtree (access: either end in $scope's).
-- Grouped by provider, not by consumer: a failing provider is spread thin over
-- many consumers and only stands out here.
WITH span AS (SELECT LEAST(max(day), CAST($period AS DATE)) AS last_day FROM sharing_flow),
inside AS (SELECT descendant AS adcode FROM region_closure WHERE ancestor = $adcode),
allowed AS (SELECT descendant AS adcode FROM region_closure WHERE ancestor = $scope)
SELECT f.provider_dept, f.provider_adcode, r.name AS provider_region,
       sum(f.calls)::BIGINT AS calls, sum(f.calls_ok)::BIGINT AS calls_ok,
       sum(f.latency_ms_sum)::DOUBLE AS latency_ms_sum,
       count(DISTINCT f.consumer_dept) AS consumers,
       COALESCE(sum(f.calls) FILTER (WHERE f.day = span.last_day), 0)::BIGINT AS last_day_calls,
       COALESCE(sum(f.calls_ok) FILTER (WHERE f.day = span.last_day), 0)::BIGINT AS last_day_calls_ok,
       span.last_day
FROM sharing_flow f
CROSS JOIN span
JOIN region r ON r.adcode = f.provider_adcode
WHERE f.day > span.last_day - CAST($days AS INTEGER) AND f.day <= span.last_day
  AND (f.provider_adcode IN (SELECT adcode FROM inside) OR f.consumer_adcode IN (SELECT adcode FROM inside))
  AND (f.provider_adcode IN (SELECT adcode FROM allowed) OR f.consumer_adcode IN (SELECT adcode FROM allowed))
GROUP BY ALL
ORDER BY calls DESC
