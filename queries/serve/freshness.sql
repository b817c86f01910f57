-- Per source and raw table: rows, newest fact, last success and last error.
-- Sources are not regional; $scope only gates access.
SELECT f.* FROM freshness f
WHERE EXISTS (SELECT 1 FROM region WHERE adcode = $scope)
ORDER BY f.source, f.raw_table
