-- Catalog coverage and update timeliness, quality objections and demand
-- satisfaction per region one level below $adcode, plus $adcode's own
-- departments as a row of their own (node = $adcode) and the total (node = 0),
-- as of $period (capped at the snapshot's as_of). Entries, objections and
-- requests belong to the owner's region, like their indicators. Timeliness and
-- on-time handling use the rules of queries/measures/data_catalog.sql (an
-- update after the day counts as timely; on time = within 7 days). The build
-- keeps the counts per region as dated changes (sharing_catalog_day): the row
-- in force on the last day holds the counts, the rows of the window's days
-- what was resolved in it. Access: $adcode must lie inside $scope.
WITH m AS (SELECT LEAST(CAST(as_of AS DATE), CAST($period AS DATE)) AS last_day FROM snapshot_meta),
g AS (
    SELECT c.adcode, c.basis, any_value(c.name) AS name, any_value(c.level) AS level, m.last_day,
           any_value(c.entries) FILTER (WHERE c.next_day > m.last_day OR c.next_day IS NULL) AS entries,
           any_value(c.shareable) FILTER (WHERE c.next_day > m.last_day OR c.next_day IS NULL) AS shareable,
           any_value(c.open) FILTER (WHERE c.next_day > m.last_day OR c.next_day IS NULL) AS open,
           any_value(c.timely) FILTER (WHERE c.next_day > m.last_day OR c.next_day IS NULL) AS timely,
           any_value(c.objections_open) FILTER (WHERE c.next_day > m.last_day OR c.next_day IS NULL) AS objections_open,
           sum(c.resolved) FILTER (WHERE c.day > m.last_day - CAST($days AS INTEGER)) AS objections_resolved,
           sum(c.ontime) FILTER (WHERE c.day > m.last_day - CAST($days AS INTEGER)) AS objections_ontime,
           list(c.handling_days) FILTER (WHERE c.day > m.last_day - CAST($days AS INTEGER)) AS handling_days
    FROM sharing_catalog_day c
    CROSS JOIN m
    JOIN region_closure s ON s.ancestor = $scope AND s.descendant = $adcode
    WHERE (c.adcode = $adcode OR (c.parent = $adcode AND c.basis = 'subtree'))
      AND (c.day <= m.last_day OR c.day IS NULL)
      AND (c.next_day > m.last_day OR c.next_day IS NULL OR c.day > m.last_day - CAST($days AS INTEGER))
    GROUP BY c.adcode, c.basis, m.last_day
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
       COALESCE(g.objections_resolved, 0)::BIGINT AS objections_resolved,
       COALESCE(g.objections_ontime, 0)::BIGINT AS objections_ontime,
       list_aggregate(flatten(g.handling_days), 'median') AS handling_days_median,
       CASE WHEN g.basis = 'own'
            THEN COALESCE(sum(CASE WHEN d.adcode = $adcode THEN d.requests ELSE -d.requests END) OVER (), 0)
            ELSE d.requests END::DOUBLE AS requests,
       CASE WHEN g.basis = 'own'
            THEN COALESCE(sum(CASE WHEN d.adcode = $adcode THEN d.met ELSE -d.met END) OVER (), 0)
            ELSE d.met END::DOUBLE AS requests_met,
       g.last_day
FROM g
LEFT JOIN demand d ON d.adcode = g.adcode AND g.basis = 'subtree'
ORDER BY CASE WHEN g.basis = 'own' THEN 0 WHEN g.adcode <> $adcode THEN 1 ELSE 2 END, g.adcode
