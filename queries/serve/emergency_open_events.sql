-- Events still being handled in $adcode's subtree (inside the scope) at the
-- view's instant: the snapshot's as_of, or the end of the chosen $period when
-- that is earlier. Status and overdue are recomputed for that instant because
-- the event table stores them as of the build. Reporter is never selected.
WITH now AS (SELECT least(m.as_of, CAST($period AS TIMESTAMP)) AS t FROM snapshot_meta m)
SELECT e.event_id, e.severity, e.category, e.subtype, e.title, e.unit,
       e.adcode, e.county, e.city, e.lon, e.lat,
       e.reported_at, CASE WHEN e.responded_at <= now.t THEN e.responded_at END AS responded_at, e.deadline_at,
       CASE WHEN e.responded_at <= now.t THEN '处置中' ELSE '接报' END AS status,
       e.deadline_at < now.t AS overdue,
       date_diff('second', e.reported_at, now.t) // 60 AS elapsed_minutes,   -- whole minutes elapsed
       now.t AS as_of
FROM event e
CROSS JOIN now
JOIN region_closure s ON s.descendant = e.adcode AND s.ancestor = $scope
JOIN region_closure h ON h.descendant = e.adcode AND h.ancestor = $adcode
WHERE e.reported_at <= now.t AND (e.closed_at IS NULL OR e.closed_at > now.t)
ORDER BY e.severity, e.reported_at, e.event_id
