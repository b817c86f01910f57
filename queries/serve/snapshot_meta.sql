-- The snapshot's own description (one row). $scope is accepted for uniformity.
SELECT m.*, $scope AS scope FROM snapshot_meta m
