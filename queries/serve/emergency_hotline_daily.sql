-- 12345 work orders created per day over the 90 days up to the view's instant,
-- in $adcode's subtree (inside the scope). On time: closed by due_at; an order
-- still open after due_at is late; one open and not yet due is undecided.
-- Caller and phone are never selected. At the snapshot's instant ($period from
-- as_of on) the build has counted them (work_order_daily, rows of the deeper of
-- $scope and $adcode); at an earlier instant, $period itself, they are counted
-- here with the same rules.
SELECT d.day, d.orders, d.closed, d.on_time, d.decided, d.on_time::DOUBLE / nullif(d.decided, 0) AS on_time_rate,
       d.satisfied, d.rated, d.day = CAST(d.as_of AS DATE) AS partial
FROM work_order_daily d
JOIN region_closure v ON v.descendant = d.adcode
 AND ((v.ancestor = $scope AND v.descendant = $adcode) OR (v.ancestor = $adcode AND v.descendant = $scope))
WHERE d.as_of <= $period
UNION ALL
SELECT CAST(w.created_at AS DATE) AS day,
       count(*),
       count(*) FILTER (WHERE w.closed_at <= $period),
       count(*) FILTER (WHERE w.closed_at <= $period AND w.closed_at <= w.due_at),
       count(CASE WHEN w.closed_at <= $period THEN w.closed_at <= w.due_at WHEN w.due_at < $period THEN false END),
       count(*) FILTER (WHERE w.closed_at <= $period AND w.closed_at <= w.due_at)::DOUBLE
           / nullif(count(CASE WHEN w.closed_at <= $period THEN w.closed_at <= w.due_at
                               WHEN w.due_at < $period THEN false END), 0),
       count(*) FILTER (WHERE w.closed_at <= $period AND w.satisfied),
       count(CASE WHEN w.closed_at <= $period THEN w.satisfied END),
       CAST(w.created_at AS DATE) = CAST($period AS DATE)
FROM work_order w
JOIN snapshot_meta m ON m.as_of > $period
JOIN region_closure s ON s.descendant = w.adcode AND s.ancestor = $scope
JOIN region_closure h ON h.descendant = w.adcode AND h.ancestor = $adcode
WHERE w.created_at <= $period AND w.created_at > CAST($period AS TIMESTAMP) - INTERVAL 90 DAY
GROUP BY CAST(w.created_at AS DATE)
ORDER BY day
