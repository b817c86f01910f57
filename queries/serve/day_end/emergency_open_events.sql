-- emergency_open_events at the end of a day before the snapshot's instant:
-- the events the build found open then (event_open_end), in $adcode's subtree
-- inside the scope.
SELECT e.event_id, e.severity, e.category, e.subtype, e.title, e.unit,
       e.adcode, e.county, e.city, e.lon, e.lat,
       e.reported_at, e.responded_at, e.deadline_at, e.status, e.overdue, e.elapsed_minutes, e.ends_at AS as_of
FROM event_open_end e
JOIN region_closure s ON s.descendant = e.adcode AND s.ancestor = $scope
JOIN region_closure h ON h.descendant = e.adcode AND h.ancestor = $adcode
WHERE e.ends_at = $period
ORDER BY e.severity, e.reported_at, e.event_id
