-- Risk points, hazard sources, warehouses and rescue teams -> today's stock per county.
WITH r AS (SELECT * FROM raw_emergency_resource WHERE updated_at <= $as_of),
wide AS (
    SELECT l.adcode, date_trunc('day', CAST($as_of AS TIMESTAMP)) AS period,
           count(r.resource_id) FILTER (WHERE r.kind = 'risk_point')::DOUBLE AS risk_points,
           count(r.resource_id) FILTER (WHERE r.kind = 'risk_point' AND r.grade <= 2)::DOUBLE AS risk_points_major,
           count(r.resource_id) FILTER (WHERE r.kind = 'hazard_source')::DOUBLE AS hazard_sources,
           count(r.resource_id) FILTER (WHERE r.kind = 'warehouse')::DOUBLE AS warehouses,
           COALESCE(sum(r.capacity) FILTER (WHERE r.kind = 'rescue_team'), 0)::DOUBLE AS rescue_members
    FROM leaf_region l LEFT JOIN r ON r.adcode = l.adcode
    GROUP BY ALL
)
UNPIVOT wide ON COLUMNS(* EXCLUDE (adcode, period)) INTO NAME measure VALUE value
