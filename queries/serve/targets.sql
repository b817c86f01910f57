-- 规划目标达成度: every indicator with a cited target, its baseline, the latest
-- actual at $adcode (up to $period) and the target.
SELECT i.id AS indicator, i.name_zh, i.name_en, i.unit, i.direction, i.decimals, i.domain,
       i.target_value, i.target_year, i.target_source, i.target_baseline, i.target_baseline_year,
       i.target_scope, v.period, v.value
FROM indicator i
JOIN region_closure s ON s.descendant = $adcode AND s.ancestor = $scope
LEFT JOIN indicator_value v
       ON v.indicator = i.id AND v.adcode = $adcode AND v.period <= $period
      AND (v.next_period > $period OR v.next_period IS NULL)
WHERE i.target_value IS NOT NULL
ORDER BY i.domain, i.id
