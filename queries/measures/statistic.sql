-- Periodic statistics pass straight through: the raw table is already
-- (region, period, measure, value). Only measures the catalog declares.
SELECT measure, adcode, CAST(period AS TIMESTAMP) AS period, value
FROM raw_statistic
WHERE measure IN (SELECT id FROM measure WHERE source = 'statistic')
  AND CAST(period AS TIMESTAMP) <= $as_of
