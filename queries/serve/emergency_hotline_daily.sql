-- 12345 work orders created per day over the 90 days up to the view's instant,
-- in $adcode's subtree (inside the scope). On time: closed by due_at; an order
-- still open after due_at is late; one open and not yet due is undecided.
-- Caller and phone are never selected.
WITH now AS (SELECT least(m.as_of, CAST($period AS TIMESTAMP)) AS t FROM snapshot_meta m),
o AS (
    SELECT CAST(w.created_at AS DATE) AS day,
           w.closed_at <= now.t AS closed,
           CASE WHEN w.closed_at <= now.t THEN w.closed_at <= w.due_at
                WHEN w.due_at < now.t THEN false END AS on_time,
           CASE WHEN w.closed_at <= now.t THEN w.satisfied END AS satisfied
    FROM work_order w
    CROSS JOIN now
    JOIN region_closure s ON s.descendant = w.adcode AND s.ancestor = $scope
    JOIN region_closure h ON h.descendant = w.adcode AND h.ancestor = $adcode
    WHERE w.created_at <= now.t AND w.created_at > now.t - INTERVAL 90 DAY
)
SELECT day,
       count(*) AS orders,
       count(*) FILTER (WHERE closed) AS closed,
       count(*) FILTER (WHERE on_time) AS on_time,
       count(on_time) AS decided,
       count(*) FILTER (WHERE on_time)::DOUBLE / nullif(count(on_time), 0) AS on_time_rate,
       count(*) FILTER (WHERE satisfied) AS satisfied,
       count(satisfied) AS rated,
       day = CAST((SELECT t FROM now) AS DATE) AS partial
FROM o
GROUP BY day
ORDER BY day
