-- emergency_open_events at the snapshot's instant: the events the build found
-- open then (event_open_latest), in $adcode's subtree inside the scope.
SELECT e.event_id, e.severity, e.category, e.subtype, e.title, e.unit,
       e.adcode, e.county, e.city, e.lon, e.lat,
       e.reported_at, e.responded_at, e.deadline_at, e.status, e.overdue, e.elapsed_minutes, e.as_of
FROM event_open_latest e
JOIN region_closure s ON s.descendant = e.adcode AND s.ancestor = $scope
JOIN region_closure h ON h.descendant = e.adcode AND h.ancestor = $adcode
ORDER BY e.severity, e.reported_at, e.event_id
