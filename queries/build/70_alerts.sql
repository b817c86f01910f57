-- Alerts: catalog thresholds on each indicator's latest period, and event rules.
-- Ratio indicators need a denominator of at least 5 before they alert, so one
-- late case in a quiet county does not put 0% on the wall.
INSERT INTO alert
WITH judged AS (
    SELECT v.indicator, v.adcode, v.period, v.value, i.direction, i.warn, i.alarm,
           CASE WHEN (i.direction = 'up' AND v.value < i.alarm) OR (i.direction = 'down' AND v.value > i.alarm) THEN 'alarm'
                WHEN (i.direction = 'up' AND v.value < i.warn) OR (i.direction = 'down' AND v.value > i.warn) THEN 'warn'
           END AS level
    FROM indicator_value v JOIN indicator i ON i.id = v.indicator
    WHERE i.warn IS NOT NULL AND (i.rollup <> 'ratio' OR v.den >= 5)
),
latest AS (SELECT indicator, max(period) AS period FROM indicator_value GROUP BY ALL),
breach AS (SELECT j.* FROM judged j JOIN latest USING (indicator, period) WHERE j.level IS NOT NULL),
last_ok AS (
    SELECT j.indicator, j.adcode, max(j.period) AS ok_period
    FROM judged j JOIN breach b USING (indicator, adcode)
    WHERE j.level IS NULL GROUP BY ALL
),
since AS (
    SELECT j.indicator, j.adcode, min(j.period) AS since
    FROM judged j JOIN breach b USING (indicator, adcode)
    LEFT JOIN last_ok o USING (indicator, adcode)
    WHERE j.period > COALESCE(o.ok_period, TIMESTAMP '1900-01-01')
    GROUP BY ALL
)
SELECT 'threshold:' || b.indicator || ':' || b.adcode, 'threshold', b.indicator, NULL, b.adcode, b.level, b.value,
       CASE b.level WHEN 'alarm' THEN b.alarm ELSE b.warn END, s.since, b.period, i.department,
       r.name || ' ' || i.name_zh || ' ' || printf('%.' || i.decimals || 'f', b.value) || i.unit ||
       CASE WHEN b.direction = 'up' THEN '，低于' ELSE '，高于' END ||
       CASE b.level WHEN 'alarm' THEN '告警线 ' || printf('%g', b.alarm) ELSE '预警线 ' || printf('%g', b.warn) END || i.unit,
       'open'
FROM breach b
JOIN indicator i ON i.id = b.indicator
JOIN region r ON r.adcode = b.adcode
JOIN since s ON s.indicator = b.indicator AND s.adcode = b.adcode;

INSERT INTO alert
SELECT 'event:' || e.event_id, 'event', NULL, e.event_id, e.adcode,
       CASE WHEN e.severity <= 2 THEN 'alarm' ELSE 'warn' END,
       e.severity, NULL, e.reported_at, NULL, e.unit,
       r.name || ' ' || e.title || '（' || ['Ⅰ', 'Ⅱ', 'Ⅲ', 'Ⅳ'][e.severity] || '级，' || e.status || '）' ||
       CASE WHEN e.overdue THEN '，已超办结时限' ELSE '' END,
       'open'
FROM event e JOIN region r ON r.adcode = e.adcode
WHERE e.status <> '已办结' AND (e.severity <= 3 OR e.overdue);
