-- Each indicator's value at its latest period up to $period for one region, with
-- the value one period and one year earlier: the KPI cards. One aggregate pass
-- over the region's rows (top-2 by period), not a lookup per indicator.
WITH here AS (
    SELECT v.indicator, max(v.period, 2) AS periods, max_by(v.value, v.period, 2) AS vals,
           max_by(v.num, v.period) AS num, max_by(v.den, v.period) AS den
    FROM indicator_value v
    JOIN region_closure s ON s.descendant = v.adcode AND s.ancestor = $scope
    WHERE v.adcode = $adcode AND v.period <= $period
    GROUP BY v.indicator
)
SELECT h.indicator, h.periods[1] AS period, h.vals[1] AS value, h.num, h.den, h.vals[2] AS previous_value,
       y.value AS year_ago_value
FROM here h
JOIN indicator i ON i.id = h.indicator
LEFT JOIN indicator_value y
       ON y.indicator = h.indicator AND y.adcode = $adcode AND y.period = h.periods[1] - INTERVAL 1 YEAR
ORDER BY i.domain, i.id
