-- sharing_dept_flows at the snapshot's instant over the screens' window: the
-- flows the build summed for $adcode (sharing_dept_window). Holds only the
-- window of queries/windows.py; Database.execute sends other windows to the
-- general form.
SELECT d.provider_kind, d.provider, d.consumer_kind, d.consumer, d.calls, d.calls_ok, d.latency_ms_sum
FROM sharing_dept_window d
JOIN region_closure s ON s.descendant = d.adcode AND s.ancestor = $scope
WHERE d.adcode = $adcode
ORDER BY d.calls DESC, d.provider_kind, d.provider, d.consumer_kind, d.consumer
