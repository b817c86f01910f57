-- sharing_catalog at the end of a day before the snapshot's instant, over the
-- screens' window: the panel the build computed for $adcode at that day end
-- (sharing_catalog_end). Holds only the window and indicator of
-- queries/windows.py; Database.execute sends other values to the general form.
SELECT t.adcode, t.name, t.level, t.row_kind, t.entries, t.shareable, t.open, t.timely,
       t.objections_open, t.objections_resolved, t.objections_ontime, t.handling_days_median,
       t.requests, t.requests_met, t.last_day
FROM sharing_catalog_end t
JOIN region_closure s ON s.ancestor = $scope AND s.descendant = $adcode
WHERE t.ends_at = $period AND t.node = $adcode
ORDER BY t.ord, t.sort_adcode
