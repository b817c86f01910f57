-- Calls between departments over the $days days up to $period (capped at the
-- last day the snapshot has), for calls with either end in $adcode's subtree
-- (access: either end in $scope's). Departments of $adcode and of the regions
-- above it keep their names (kind 'named'); those below it, and those of other
-- regions, are merged by their line of work, the name without its region
-- prefix (kind 'below' / 'beside'): a Sankey of a thousand departments says
-- nothing, one of "county market regulators" does; drilling down names them.
WITH span AS (SELECT LEAST(max(day), CAST($period AS DATE)) AS last_day FROM sharing_flow),
inside AS (SELECT descendant AS adcode FROM region_closure WHERE ancestor = $adcode),
above AS (SELECT ancestor AS adcode FROM region_closure WHERE descendant = $adcode),
allowed AS (SELECT descendant AS adcode FROM region_closure WHERE ancestor = $scope),
f AS (
    SELECT f.*, rp.name AS provider_region, rc.name AS consumer_region
    FROM sharing_flow f
    CROSS JOIN span
    JOIN region rp ON rp.adcode = f.provider_adcode
    JOIN region rc ON rc.adcode = f.consumer_adcode
    WHERE f.day > span.last_day - CAST($days AS INTEGER) AND f.day <= span.last_day
      AND (f.provider_adcode IN (SELECT adcode FROM inside) OR f.consumer_adcode IN (SELECT adcode FROM inside))
      AND (f.provider_adcode IN (SELECT adcode FROM allowed) OR f.consumer_adcode IN (SELECT adcode FROM allowed))
),
g AS (
    SELECT CASE WHEN provider_adcode IN (SELECT adcode FROM above) THEN 'named'
                WHEN provider_adcode IN (SELECT adcode FROM inside) THEN 'below' ELSE 'beside' END AS provider_kind,
           CASE WHEN provider_adcode IN (SELECT adcode FROM above) OR NOT starts_with(provider_dept, provider_region)
                THEN provider_dept ELSE substr(provider_dept, length(provider_region) + 1) END AS provider,
           CASE WHEN consumer_adcode IN (SELECT adcode FROM above) THEN 'named'
                WHEN consumer_adcode IN (SELECT adcode FROM inside) THEN 'below' ELSE 'beside' END AS consumer_kind,
           CASE WHEN consumer_adcode IN (SELECT adcode FROM above) OR NOT starts_with(consumer_dept, consumer_region)
                THEN consumer_dept ELSE substr(consumer_dept, length(consumer_region) + 1) END AS consumer,
           calls, calls_ok, latency_ms_sum
    FROM f
)
SELECT provider_kind, provider, consumer_kind, consumer,
       sum(calls)::BIGINT AS calls, sum(calls_ok)::BIGINT AS calls_ok, sum(latency_ms_sum)::DOUBLE AS latency_ms_sum
FROM g
GROUP BY ALL
ORDER BY calls DESC, provider_kind, provider, consumer_kind, consumer
