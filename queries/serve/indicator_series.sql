-- One indicator over time at one region, with the value a year earlier (for
-- year-on-year) and the sparkline; up to $period.
SELECT v.period, v.value, v.year_ago_value
FROM indicator_value v
JOIN region_closure s ON s.descendant = v.adcode AND s.ancestor = $scope
WHERE v.indicator = $indicator AND v.adcode = $adcode AND v.period <= $period
ORDER BY v.period
