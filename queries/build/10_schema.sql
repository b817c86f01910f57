-- Tables of a published snapshot: the contract between the pipeline and the web.
CREATE TABLE snapshot_meta (
    id VARCHAR, built_at TIMESTAMPTZ, as_of TIMESTAMP, root_adcode INTEGER, demo BOOLEAN,
    demo_notice VARCHAR, catalog_digest VARCHAR, build_seconds DOUBLE,
    source_versions JSON, row_counts JSON, warnings JSON
);
CREATE TABLE region (
    adcode INTEGER PRIMARY KEY, name VARCHAR NOT NULL, level VARCHAR NOT NULL, depth INTEGER NOT NULL,
    parent INTEGER, lon DOUBLE, lat DOUBLE, is_leaf BOOLEAN NOT NULL
);
-- Every (ancestor, descendant) pair, self included (distance 0): rollups and
-- region scoping are one join against it.
CREATE TABLE region_closure (ancestor INTEGER NOT NULL, descendant INTEGER NOT NULL, distance INTEGER NOT NULL);
CREATE TABLE measure (id VARCHAR PRIMARY KEY, source VARCHAR, grain VARCHAR, additive BOOLEAN, unit VARCHAR, doc VARCHAR);
CREATE TABLE indicator (
    id VARCHAR PRIMARY KEY, name_zh VARCHAR, name_en VARCHAR, unit VARCHAR, domain VARCHAR, cadence VARCHAR,
    rollup VARCHAR, measure VARCHAR, numerator VARCHAR, denominator VARCHAR, weight VARCHAR, scale DOUBLE,
    direction VARCHAR, warn DOUBLE, alarm DOUBLE, department VARCHAR, definition_zh VARCHAR, decimals INTEGER,
    pages VARCHAR[], target_value DOUBLE, target_year INTEGER, target_source VARCHAR,
    target_baseline DOUBLE, target_baseline_year INTEGER, target_scope VARCHAR
);
-- num/den keep the summed parts of ratio, growth and mean indicators, so any
-- level's value can be checked against (and recomputed from) its children.
-- The rest serves the screens without per-request work: the region's parent,
-- and the value's neighbours in its indicator and region (the row is "the
-- latest up to t" for t in [period, next_period)). Rows are stored by parent
-- and region, so a region's rows, and its children's, sit in one or two row
-- groups that a filter on adcode or parent reads alone.
CREATE TABLE indicator_value (
    indicator VARCHAR NOT NULL, adcode INTEGER NOT NULL, period TIMESTAMP NOT NULL,
    value DOUBLE NOT NULL, num DOUBLE, den DOUBLE,
    parent INTEGER, next_period TIMESTAMP, previous_value DOUBLE, year_ago_value DOUBLE
);
CREATE TABLE alert (
    alert_id VARCHAR, rule VARCHAR, indicator VARCHAR, event_id VARCHAR, adcode INTEGER, level VARCHAR,
    value DOUBLE, threshold DOUBLE, since TIMESTAMP, period TIMESTAMP, department VARCHAR, message_zh VARCHAR,
    state VARCHAR
);
-- One row per source and raw table: how much arrived, how recent the newest fact
-- is, when the source was last read successfully and what the last attempt said.
CREATE TABLE freshness (
    source VARCHAR, kind VARCHAR, raw_table VARCHAR, rows BIGINT, quarantined BIGINT, latest_fact TIMESTAMP,
    fetched_at TIMESTAMPTZ, last_attempt TIMESTAMPTZ, error VARCHAR, version VARCHAR, demo BOOLEAN,
    cadence_seconds INTEGER
);
CREATE TABLE quarantine (source VARCHAR, raw_table VARCHAR, file VARCHAR, line BIGINT, "column" VARCHAR, value VARCHAR, reason VARCHAR);
