-- sharing_region_flows at the end of a day before the snapshot's instant, over
-- the screens' window: from the last flow day on, the flows of
-- sharing_node_window (the general form's window then ends on that day);
-- before it, the build's sums for that day end (sharing_node_end).
SELECT f.provider_node, f.provider_name, f.provider_level, f.provider_lon, f.provider_lat,
       f.consumer_node, f.consumer_name, f.consumer_level, f.consumer_lon, f.consumer_lat,
       f.provider_inside, f.consumer_inside, f.calls, f.calls_ok, f.latency_ms_sum, f.first_day, f.last_day
FROM sharing_node_window f
JOIN region_closure s ON s.descendant = f.adcode AND s.ancestor = $scope
WHERE f.adcode = $adcode AND f.last_day <= CAST($period AS DATE)
UNION ALL
SELECT f.provider_node, f.provider_name, f.provider_level, f.provider_lon, f.provider_lat,
       f.consumer_node, f.consumer_name, f.consumer_level, f.consumer_lon, f.consumer_lat,
       f.provider_inside, f.consumer_inside, f.calls, f.calls_ok, f.latency_ms_sum, f.first_day, f.last_day
FROM sharing_node_end f
JOIN region_closure s ON s.descendant = f.adcode AND s.ancestor = $scope
WHERE f.adcode = $adcode AND f.ends_at = $period
ORDER BY calls DESC, provider_node, consumer_node
