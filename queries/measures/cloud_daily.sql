-- Daily cloud measures per region hosting the node: energy (for PUE), racks and
-- the systems on cloud (cumulative stock as of each day).
WITH days AS (
    SELECT DISTINCT day FROM raw_cloud_energy
    WHERE day <= CAST($as_of AS DATE) AND day >= CAST($window_start AS DATE)
),
energy AS (
    SELECT n.adcode, e.day, sum(e.it_kwh) AS it_kwh, sum(e.facility_kwh) AS facility_kwh
    FROM raw_cloud_energy e JOIN raw_cloud_node n USING (node_id)
    WHERE e.day IN (SELECT day FROM days)
    GROUP BY ALL
),
node_day AS (
    SELECT n.node_id, n.adcode, n.racks, d.day FROM raw_cloud_node n CROSS JOIN days d
),
systems AS (
    SELECT nd.adcode, nd.day,
           sum(nd.racks) AS racks
    FROM node_day nd GROUP BY ALL
),
onboarded AS (
    SELECT nd.adcode, nd.day,
           count(s.system_id) AS systems_on_cloud,
           count(s.system_id) FILTER (WHERE s.is_new) AS new_systems,
           count(s.system_id) FILTER (WHERE s.is_new AND s.cloud_native) AS new_systems_native
    FROM node_day nd
    LEFT JOIN raw_cloud_system s ON s.node_id = nd.node_id AND s.onboarded_on <= nd.day
    GROUP BY ALL
),
wide AS (
    SELECT r.adcode, r.day::TIMESTAMP AS period,
           COALESCE(e.it_kwh, 0)::DOUBLE AS it_kwh,
           COALESCE(e.facility_kwh, 0)::DOUBLE AS facility_kwh,
           r.racks::DOUBLE AS racks,
           o.systems_on_cloud::DOUBLE AS systems_on_cloud,
           o.new_systems::DOUBLE AS new_systems,
           o.new_systems_native::DOUBLE AS new_systems_native
    FROM systems r
    JOIN onboarded o USING (adcode, day)
    LEFT JOIN energy e USING (adcode, day)
)
UNPIVOT wide ON COLUMNS(* EXCLUDE (adcode, period)) INTO NAME measure VALUE value
