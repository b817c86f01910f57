-- The indicator definitions this snapshot was built with (the catalog as of the build).
SELECT i.* FROM indicator i
WHERE EXISTS (SELECT 1 FROM region WHERE adcode = $scope)
ORDER BY i.rowid  -- catalog order: the file lists the headline indicators first
