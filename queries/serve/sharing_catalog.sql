-- Catalog coverage and update timeliness, quality objections and demand
-- satisfaction per region one level below $adcode, plus $adcode's own
-- departments as a row of their own (node = $adcode) and the total (node = 0),
-- as of $period (capped at the snapshot's as_of). Entries, objections and
-- requests belong to the owner's region, like their indicators. Timeliness and
-- on-time handling use the rules of queries/measures/data_catalog.sql (an
-- update after the day counts as timely; on time = within 7 days).
WITH span AS (SELECT LEAST(CAST(as_of AS DATE), CAST($period AS DATE)) AS last_day FROM snapshot_meta),
nodes AS (
    SELECT r.adcode AS node, r.name, r.level
    FROM region r
    JOIN region_closure s ON s.descendant = r.adcode AND s.ancestor = $scope
    WHERE r.adcode = $adcode OR r.parent = $adcode
),
node AS (   -- every region of the subtree -> its row
    SELECT h.descendant AS adcode, a.node
    FROM region_closure h
    JOIN region_closure k ON k.descendant = h.descendant
    JOIN nodes a ON a.node = k.ancestor
    WHERE h.ancestor = $adcode
      AND ((h.descendant = $adcode AND a.node = $adcode) OR (h.descendant <> $adcode AND a.node <> $adcode))
),
catalog AS (
    SELECT CASE WHEN GROUPING(n.node) = 1 THEN 0 ELSE n.node END AS node,
           count(*) AS entries,
           count(*) FILTER (WHERE c.share_type <> '不予共享') AS shareable,
           count(*) FILTER (WHERE c.open_type <> '不予开放') AS open,
           count(*) FILTER (WHERE c.last_updated > span.last_day
                                 OR date_diff('day', c.last_updated, span.last_day) <= c.update_days) AS timely
    FROM data_catalog c
    JOIN node n ON n.adcode = c.adcode
    CROSS JOIN span
    WHERE c.registered_on <= span.last_day
    GROUP BY GROUPING SETS ((n.node), ())
),
objections AS (
    SELECT CASE WHEN GROUPING(n.node) = 1 THEN 0 ELSE n.node END AS node,
           count(*) FILTER (WHERE o.raised_at::DATE <= span.last_day
                                 AND (o.resolved_at IS NULL OR o.resolved_at::DATE > span.last_day)) AS objections_open,
           count(*) FILTER (WHERE o.resolved_at::DATE > span.last_day - CAST($days AS INTEGER)
                                 AND o.resolved_at::DATE <= span.last_day) AS objections_resolved,
           count(*) FILTER (WHERE o.resolved_at::DATE > span.last_day - CAST($days AS INTEGER)
                                 AND o.resolved_at::DATE <= span.last_day
                                 AND o.resolved_at <= o.raised_at + INTERVAL 7 DAY) AS objections_ontime,
           median(epoch(o.resolved_at - o.raised_at) / 86400.0)
               FILTER (WHERE o.resolved_at::DATE > span.last_day - CAST($days AS INTEGER)
                            AND o.resolved_at::DATE <= span.last_day) AS handling_days_median
    FROM quality_objection o
    JOIN node n ON n.adcode = o.adcode
    CROSS JOIN span
    GROUP BY GROUPING SETS ((n.node), ())
),
-- Requests are not kept as detail rows: the additive parts of the indicator
-- are. A node's own departments are its total minus its children's.
demand_raw AS (
    SELECT v.adcode, sum(v.num) AS met, sum(v.den) AS requests
    FROM indicator_value v
    CROSS JOIN span
    WHERE v.indicator = $indicator AND v.adcode IN (SELECT node FROM nodes)
      AND v.period::DATE > span.last_day - CAST($days AS INTEGER) AND v.period::DATE <= span.last_day
    GROUP BY v.adcode
),
demand AS (
    SELECT 0 AS node, met, requests FROM demand_raw WHERE adcode = $adcode
    UNION ALL
    SELECT adcode, met, requests FROM demand_raw WHERE adcode <> $adcode
    UNION ALL
    SELECT $adcode,
           (SELECT COALESCE(sum(met), 0) FROM demand_raw WHERE adcode = $adcode)
               - (SELECT COALESCE(sum(met), 0) FROM demand_raw WHERE adcode <> $adcode),
           (SELECT COALESCE(sum(requests), 0) FROM demand_raw WHERE adcode = $adcode)
               - (SELECT COALESCE(sum(requests), 0) FROM demand_raw WHERE adcode <> $adcode)
),
rows AS (
    SELECT node, name, level, CASE WHEN node = $adcode THEN 'own' ELSE 'child' END AS row_kind FROM nodes
    UNION ALL
    SELECT 0, NULL, NULL, 'total'
)
SELECT w.node AS adcode, w.name, w.level, w.row_kind,
       COALESCE(c.entries, 0)::BIGINT AS entries, COALESCE(c.shareable, 0)::BIGINT AS shareable,
       COALESCE(c.open, 0)::BIGINT AS open, COALESCE(c.timely, 0)::BIGINT AS timely,
       COALESCE(o.objections_open, 0)::BIGINT AS objections_open,
       COALESCE(o.objections_resolved, 0)::BIGINT AS objections_resolved,
       COALESCE(o.objections_ontime, 0)::BIGINT AS objections_ontime,
       o.handling_days_median,
       d.requests::DOUBLE AS requests, d.met::DOUBLE AS requests_met,
       (SELECT last_day FROM span) AS last_day
FROM rows w
LEFT JOIN catalog c ON c.node = w.node
LEFT JOIN objections o ON o.node = w.node
LEFT JOIN demand d ON d.node = w.node
ORDER BY CASE w.row_kind WHEN 'own' THEN 0 WHEN 'child' THEN 1 ELSE 2 END, w.node
