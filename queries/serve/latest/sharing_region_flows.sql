-- sharing_region_flows at the snapshot's instant over the screens' window:
-- the flows the build summed for $adcode (sharing_node_window). Holds only the
-- window of queries/windows.py; Database.execute sends other windows to the
-- general form.
SELECT f.provider_node, f.provider_name, f.provider_level, f.provider_lon, f.provider_lat,
       f.consumer_node, f.consumer_name, f.consumer_level, f.consumer_lon, f.consumer_lat,
       f.provider_inside, f.consumer_inside, f.calls, f.calls_ok, f.latency_ms_sum, f.first_day, f.last_day
FROM sharing_node_window f
JOIN region_closure s ON s.descendant = f.adcode AND s.ancestor = $scope
WHERE f.adcode = $adcode
ORDER BY f.calls DESC, f.provider_node, f.consumer_node
