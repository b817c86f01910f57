-- Each indicator's value at its latest period up to $period for one region, with
-- the value one period and one year earlier: the KPI cards. The build stores
-- both next to each value, and next_period picks the one row valid at $period.
SELECT v.indicator, v.period, v.value, v.num, v.den, v.previous_value, v.year_ago_value
FROM indicator_value v
JOIN region_closure s ON s.descendant = v.adcode AND s.ancestor = $scope
JOIN indicator i ON i.id = v.indicator
WHERE v.adcode = $adcode AND v.period <= $period AND (v.next_period > $period OR v.next_period IS NULL)
ORDER BY i.domain, i.id
