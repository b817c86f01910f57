-- The region tree from the geography build, and its closure.
INSERT INTO region
SELECT adcode, name, level, depth, parent, lon, lat, is_leaf
FROM read_csv($regions_csv, header = true, columns = {
    'adcode': 'INTEGER', 'name': 'VARCHAR', 'level': 'VARCHAR', 'depth': 'INTEGER', 'parent': 'INTEGER',
    'lon': 'DOUBLE', 'lat': 'DOUBLE', 'is_leaf': 'BOOLEAN'});
INSERT INTO region_closure
WITH RECURSIVE up(ancestor, descendant, distance) AS (
    SELECT adcode, adcode, 0 FROM region
    UNION ALL
    SELECT r.parent, up.descendant, up.distance + 1
    FROM up JOIN region r ON r.adcode = up.ancestor
    WHERE r.parent IS NOT NULL
)
SELECT ancestor, descendant, distance FROM up;
CREATE TEMP VIEW leaf_region AS SELECT adcode FROM region WHERE is_leaf;
