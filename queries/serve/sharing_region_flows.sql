-- Calls between regions over the $days days up to $period (capped at the last
-- day the snapshot has), for calls with either end in $adcode's subtree: a city
-- is a party to its calls with the province, so it sees them. Access follows
-- the same rule with $scope. Each end is drawn as one node: inside the subtree,
-- $adcode itself or the child of $adcode it lies in; on the path above $adcode,
-- that region itself (the province seen from a city); elsewhere, the region
-- where its branch leaves that path (another city, not its counties), so a
-- county's map has a dozen nodes rather than every county of the province.
WITH span AS (SELECT LEAST(max(day), CAST($period AS DATE)) AS last_day FROM sharing_flow),
inside AS (SELECT descendant AS adcode FROM region_closure WHERE ancestor = $adcode),
above AS (SELECT ancestor AS adcode FROM region_closure WHERE descendant = $adcode),
allowed AS (SELECT descendant AS adcode FROM region_closure WHERE ancestor = $scope),
node_of AS (
    SELECT k.descendant AS adcode, k.ancestor AS node
    FROM region_closure k JOIN region a ON a.adcode = k.ancestor
    WHERE k.descendant IN (SELECT adcode FROM inside)
      AND ((k.descendant = $adcode AND a.adcode = $adcode) OR (k.descendant <> $adcode AND a.parent = $adcode))
    UNION ALL
    SELECT adcode, adcode FROM above WHERE adcode <> $adcode
    UNION ALL
    SELECT k.descendant, k.ancestor
    FROM region_closure k JOIN region a ON a.adcode = k.ancestor
    WHERE a.parent IN (SELECT adcode FROM above) AND a.adcode NOT IN (SELECT adcode FROM above)
      AND a.adcode NOT IN (SELECT adcode FROM inside)
),
node AS (
    SELECT n.adcode, n.node, a.name, a.level, a.lon, a.lat
    FROM node_of n JOIN region a ON a.adcode = n.node
),
f AS (
    SELECT f.*
    FROM sharing_flow f, span
    WHERE f.day > span.last_day - CAST($days AS INTEGER) AND f.day <= span.last_day
      AND (f.provider_adcode IN (SELECT adcode FROM inside) OR f.consumer_adcode IN (SELECT adcode FROM inside))
      AND (f.provider_adcode IN (SELECT adcode FROM allowed) OR f.consumer_adcode IN (SELECT adcode FROM allowed))
)
SELECT p.node AS provider_node, p.name AS provider_name, p.level AS provider_level,
       p.lon AS provider_lon, p.lat AS provider_lat,
       c.node AS consumer_node, c.name AS consumer_name, c.level AS consumer_level,
       c.lon AS consumer_lon, c.lat AS consumer_lat,
       p.node IN (SELECT adcode FROM inside) AS provider_inside,
       c.node IN (SELECT adcode FROM inside) AS consumer_inside,
       sum(f.calls)::BIGINT AS calls, sum(f.calls_ok)::BIGINT AS calls_ok,
       sum(f.latency_ms_sum)::DOUBLE AS latency_ms_sum,
       (SELECT last_day FROM span) - CAST($days AS INTEGER) + 1 AS first_day,
       (SELECT last_day FROM span) AS last_day
FROM f
JOIN node p ON p.adcode = f.provider_adcode
JOIN node c ON c.adcode = f.consumer_adcode
GROUP BY ALL
ORDER BY calls DESC, provider_node, consumer_node
