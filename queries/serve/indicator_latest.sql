-- Each indicator's value at its latest period up to $period for one region, with
-- the value one period and one year earlier: the KPI cards.
WITH here AS (
    SELECT descendant AS adcode FROM region_closure WHERE ancestor = $scope AND descendant = $adcode
),
latest AS (
    SELECT v.indicator, max(v.period) AS period FROM indicator_value v
    WHERE v.adcode IN (SELECT adcode FROM here) AND v.period <= $period
    GROUP BY v.indicator
)
SELECT i.id AS indicator, l.period, v.value, v.num, v.den,
       (SELECT max_by(p.value, p.period) FROM indicator_value p
        WHERE p.indicator = i.id AND p.adcode = v.adcode AND p.period < l.period) AS previous_value,
       (SELECT y.value FROM indicator_value y WHERE y.indicator = i.id AND y.adcode = v.adcode
          AND y.period = l.period - INTERVAL 1 YEAR) AS year_ago_value
FROM indicator i
JOIN latest l ON l.indicator = i.id
JOIN indicator_value v ON v.indicator = i.id AND v.period = l.period AND v.adcode = $adcode
ORDER BY i.domain, i.id
