-- Data-sharing API calls -> daily measures in the consumer's region (who uses the data).
WITH wide AS (
    SELECT consumer_adcode AS adcode, date_trunc('day', ts) AS period,
           count(*)::DOUBLE AS api_calls,
           count(*) FILTER (WHERE ok)::DOUBLE AS api_calls_ok,
           sum(latency_ms)::DOUBLE AS api_latency_ms_sum
    FROM raw_api_call
    WHERE ts <= $as_of AND ts >= CAST($window_start AS TIMESTAMP)
    GROUP BY ALL
)
UNPIVOT wide ON COLUMNS(* EXCLUDE (adcode, period)) INTO NAME measure VALUE value
