-- Catalog coverage and update timeliness, quality objections and demand
-- satisfaction per region one level below $adcode, plus $adcode's own
-- departments as a row of their own (node = $adcode) and the total (node = 0),
-- as of $period (capped at the snapshot's as_of). Entries, objections and
-- requests belong to the owner's region, like their indicators. Timeliness and
-- on-time handling use the rules of queries/measures/data_catalog.sql (an
-- update after the day counts as timely; on time = within 7 days). The build
-- keeps the counts per region as dated changes (sharing_catalog_day): the row
-- in force on the last day holds the counts, and the resolutions of the window
-- are the difference of the running totals in force on its last day and on the
-- day before it (before_day); the handling days of those resolutions are rows
-- of sharing_catalog_handling. Access: $adcode must lie inside $scope.
WITH m AS (
    SELECT LEAST(CAST(as_of AS DATE), CAST($period AS DATE)) AS last_day,
           LEAST(CAST(as_of AS DATE), CAST($period AS DATE)) - GREATEST(CAST($days AS INTEGER), 0) AS before_day
    FROM snapshot_meta
),
c AS (   -- the rows in force on the window's last day and on the day before it
    SELECT c.*, m.last_day, (c.day <= m.last_day OR c.day IS NULL) AND (c.next_day > m.last_day OR c.next_day IS NULL) AS at_last,
           (c.day <= m.before_day OR c.day IS NULL) AND (c.next_day > m.before_day OR c.next_day IS NULL) AS at_before
    FROM sharing_catalog_day c
    CROSS JOIN m
    JOIN region_closure s ON s.ancestor = $scope AND s.descendant = $adcode
    WHERE c.adcode = $adcode OR (c.parent = $adcode AND c.basis = 'subtree')
),
g AS (
    SELECT c.adcode, c.basis, any_value(c.name) AS name, any_value(c.level) AS level, any_value(c.last_day) AS last_day,
           any_value(c.entries) FILTER (WHERE c.at_last) AS entries,
           any_value(c.shareable) FILTER (WHERE c.at_last) AS shareable,
           any_value(c.open) FILTER (WHERE c.at_last) AS open,
           any_value(c.timely) FILTER (WHERE c.at_last) AS timely,
           any_value(c.objections_open) FILTER (WHERE c.at_last) AS objections_open,
           any_value(c.resolved_to_day) FILTER (WHERE c.at_last)
               - any_value(c.resolved_to_day) FILTER (WHERE c.at_before) AS objections_resolved,
           any_value(c.ontime_to_day) FILTER (WHERE c.at_last)
               - any_value(c.ontime_to_day) FILTER (WHERE c.at_before) AS objections_ontime
    FROM c
    WHERE c.at_last OR c.at_before
    GROUP BY c.adcode, c.basis
),
h AS (
    SELECT x.adcode, x.basis, median(x.handling_days) AS handling_days_median
    FROM sharing_catalog_handling x, m
    WHERE (x.adcode = $adcode OR (x.parent = $adcode AND x.basis = 'subtree'))
      AND x.day > m.before_day AND x.day <= m.last_day
    GROUP BY x.adcode, x.basis
),
-- Requests are not kept as detail rows: the additive parts of the indicator
-- are. A node's own departments are its total minus its children's.
demand AS (
    SELECT v.adcode, sum(v.num) AS met, sum(v.den) AS requests
    FROM indicator_value v, m
    WHERE v.indicator = $indicator AND (v.adcode = $adcode OR v.parent = $adcode)
      AND v.period::DATE > m.last_day - CAST($days AS INTEGER) AND v.period::DATE <= m.last_day
    GROUP BY v.adcode
)
SELECT CASE WHEN g.adcode = $adcode AND g.basis = 'subtree' THEN 0 ELSE g.adcode END AS adcode,
       CASE WHEN g.adcode = $adcode AND g.basis = 'subtree' THEN NULL ELSE g.name END AS name,
       CASE WHEN g.adcode = $adcode AND g.basis = 'subtree' THEN NULL ELSE g.level END AS level,
       CASE WHEN g.basis = 'own' THEN 'own' WHEN g.adcode = $adcode THEN 'total' ELSE 'child' END AS row_kind,
       g.entries::BIGINT AS entries, g.shareable::BIGINT AS shareable, g.open::BIGINT AS open,
       g.timely::BIGINT AS timely, g.objections_open::BIGINT AS objections_open,
       g.objections_resolved::BIGINT AS objections_resolved,
       g.objections_ontime::BIGINT AS objections_ontime,
       h.handling_days_median,
       CASE WHEN g.basis = 'own'
            THEN COALESCE(sum(CASE WHEN d.adcode = $adcode THEN d.requests ELSE -d.requests END) OVER (), 0)
            ELSE d.requests END::DOUBLE AS requests,
       CASE WHEN g.basis = 'own'
            THEN COALESCE(sum(CASE WHEN d.adcode = $adcode THEN d.met ELSE -d.met END) OVER (), 0)
            ELSE d.met END::DOUBLE AS requests_met,
       g.last_day
FROM g
LEFT JOIN h ON h.adcode = g.adcode AND h.basis = g.basis
LEFT JOIN demand d ON d.adcode = g.adcode AND g.basis = 'subtree'
ORDER BY CASE WHEN g.basis = 'own' THEN 0 WHEN g.adcode <> $adcode THEN 1 ELSE 2 END, g.adcode
