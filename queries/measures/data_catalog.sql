-- Catalog stock, shared-data requests and quality objections -> daily measures in
-- the owning (or requesting) region. An entry is "timely" on a day when its last
-- update is within its update deadline; updates after that day count as timely
-- because the source keeps only the latest update date.
WITH days AS (
    SELECT d::DATE AS day
    FROM generate_series(CAST($as_of AS TIMESTAMP) - INTERVAL 29 DAY, CAST($as_of AS TIMESTAMP), INTERVAL 1 DAY) AS t(d)
),
entries AS (
    SELECT c.adcode, d.day,
           count(*) AS catalog_entries,
           count(*) FILTER (WHERE c.share_type <> '不予共享') AS catalog_shareable,
           count(*) FILTER (WHERE c.open_type <> '不予开放') AS catalog_open,
           count(*) FILTER (WHERE c.last_updated > d.day OR date_diff('day', c.last_updated, d.day) <= c.update_days) AS catalog_timely
    FROM raw_data_catalog c JOIN days d ON c.registered_on <= d.day
    GROUP BY ALL
),
requests AS (
    SELECT adcode, answered_at::DATE AS day,
           count(*) AS share_requests,
           count(*) FILTER (WHERE satisfied) AS share_requests_met
    FROM raw_share_request
    WHERE answered_at IS NOT NULL AND answered_at <= $as_of AND answered_at >= CAST($window_start AS TIMESTAMP)
    GROUP BY ALL
),
raised AS (
    SELECT adcode, raised_at::DATE AS day, count(*) AS objections_raised
    FROM raw_quality_objection
    WHERE raised_at <= $as_of AND raised_at >= CAST($window_start AS TIMESTAMP)
    GROUP BY ALL
),
resolved AS (
    SELECT adcode, resolved_at::DATE AS day,
           count(*) AS objections_resolved,
           count(*) FILTER (WHERE resolved_at <= raised_at + INTERVAL 7 DAY) AS objections_ontime
    FROM raw_quality_objection
    WHERE resolved_at IS NOT NULL AND resolved_at <= $as_of AND resolved_at >= CAST($window_start AS TIMESTAMP)
    GROUP BY ALL
),
keys AS (
    SELECT adcode, day FROM entries UNION SELECT adcode, day FROM requests
    UNION SELECT adcode, day FROM raised UNION SELECT adcode, day FROM resolved
),
wide AS (
    SELECT k.adcode, k.day::TIMESTAMP AS period,
           COALESCE(e.catalog_entries, 0)::DOUBLE AS catalog_entries,
           COALESCE(e.catalog_shareable, 0)::DOUBLE AS catalog_shareable,
           COALESCE(e.catalog_open, 0)::DOUBLE AS catalog_open,
           COALESCE(e.catalog_timely, 0)::DOUBLE AS catalog_timely,
           COALESCE(r.share_requests, 0)::DOUBLE AS share_requests,
           COALESCE(r.share_requests_met, 0)::DOUBLE AS share_requests_met,
           COALESCE(a.objections_raised, 0)::DOUBLE AS objections_raised,
           COALESCE(v.objections_resolved, 0)::DOUBLE AS objections_resolved,
           COALESCE(v.objections_ontime, 0)::DOUBLE AS objections_ontime
    FROM keys k
    LEFT JOIN entries e USING (adcode, day)
    LEFT JOIN requests r USING (adcode, day)
    LEFT JOIN raised a USING (adcode, day)
    LEFT JOIN resolved v USING (adcode, day)
)
UNPIVOT wide ON COLUMNS(* EXCLUDE (adcode, period)) INTO NAME measure VALUE value
