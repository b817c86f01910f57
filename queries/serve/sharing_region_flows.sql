-- Calls between regions over the $days days up to $period (capped at the last
-- day the snapshot has), for calls with either end in $adcode's subtree: a city
-- is a party to its calls with the province, so it sees them. Each end is drawn
-- as one node: inside the subtree, $adcode itself or the child of $adcode it
-- lies in; on the path above $adcode, that region itself (the province seen
-- from a city); elsewhere, the region where its branch leaves that path
-- (another city, not its counties), so a county's map has a dozen nodes rather
-- than every county of the province. The build keeps these per region and day
-- (sharing_node_daily). Access: $adcode must lie inside $scope.
WITH f AS (
    SELECT d.provider_node, d.consumer_node, d.provider_inside, d.consumer_inside,
           sum(d.calls)::BIGINT AS calls, sum(d.calls_ok)::BIGINT AS calls_ok,
           sum(d.latency_ms_sum)::DOUBLE AS latency_ms_sum,
           LEAST(d.last_flow_day, CAST($period AS DATE)) AS last_day
    FROM sharing_node_daily d
    JOIN region_closure s ON s.descendant = d.adcode AND s.ancestor = $scope
    WHERE d.adcode = $adcode
      AND d.day > LEAST(d.last_flow_day, CAST($period AS DATE)) - CAST($days AS INTEGER)
      AND d.day <= LEAST(d.last_flow_day, CAST($period AS DATE))
    GROUP BY ALL
)
SELECT f.provider_node, p.name AS provider_name, p.level AS provider_level,
       p.lon AS provider_lon, p.lat AS provider_lat,
       f.consumer_node, c.name AS consumer_name, c.level AS consumer_level,
       c.lon AS consumer_lon, c.lat AS consumer_lat,
       f.provider_inside, f.consumer_inside, f.calls, f.calls_ok, f.latency_ms_sum,
       f.last_day - CAST($days AS INTEGER) + 1 AS first_day, f.last_day
FROM f
JOIN region p ON p.adcode = f.provider_node
JOIN region c ON c.adcode = f.consumer_node
ORDER BY f.calls DESC, f.provider_node, f.consumer_node
