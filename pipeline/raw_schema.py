"""The raw tables every source delivers: one schema, whatever the source.

The demo simulator, a CSV/Parquet drop folder and a PostgreSQL database all hand
the pipeline these tables with these columns. docs/SOURCES.md is the readable
version of this module; tests/pipeline/sources/test_docs.py keeps them in step.

Conventions: `adcode` is a 6-digit administrative code of the configured region
tree; timestamps are local time (Asia/Shanghai) without zone; `period` is the
first day of the month / quarter / year the value belongs to (or the day itself).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type: VARCHAR, INTEGER, SMALLINT, DOUBLE, BOOLEAN, DATE, TIMESTAMP
    required: bool = True
    doc: str = ""
    # Allowed values for enumerations (checked by sources, rejected rows are quarantined).
    choices: tuple = ()
    # Inclusive numeric bounds, checked like choices.
    min: float | None = None
    max: float | None = None
    # "region": must be an adcode of the configured tree; "leaf": a leaf (county) of it.
    region: str = ""
    # Personal data: masked by the pipeline before anything is stored in a snapshot.
    personal: bool = False


@dataclass(frozen=True)
class RawTable:
    name: str
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    # Column that says how fresh the table is (max of it = latest fact).
    time_column: str = ""
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


C = Column
EVENT_CATEGORIES = ("自然灾害", "事故灾难", "公共卫生", "社会安全")
RESOURCE_KINDS = ("risk_point", "hazard_source", "warehouse", "rescue_team")
ORDER_CATEGORIES = ("咨询", "求助", "投诉举报", "建议")
NODE_TIERS = ("provincial", "backbone", "city")
SHARE_TYPES = ("无条件共享", "有条件共享", "不予共享")
OPEN_TYPES = ("无条件开放", "有条件开放", "不予开放")

RAW_TABLES: tuple[RawTable, ...] = (
    RawTable(
        "statistic",
        "Periodic statistics (economy, government services, monitoring points): one value "
        "per region, period and measure. Additive measures are given for leaf regions "
        "(counties); non-additive ones (survey rates, distinct users) at every level they exist.",
        (
            C("adcode", "INTEGER", region="region", doc="region the value belongs to"),
            C("period", "DATE", doc="first day of the month / quarter / year, or the day"),
            C("measure", "VARCHAR", doc="measure id, as named in the indicator catalog"),
            C("value", "DOUBLE", doc="value in the measure's unit"),
        ),
        key=("adcode", "period", "measure"),
        time_column="period",
    ),
    RawTable(
        "emergency_event",
        "Emergency events (突发事件) as points, with their status timestamps.",
        (
            C("event_id", "VARCHAR"),
            C("category", "VARCHAR", choices=EVENT_CATEGORIES),
            C("subtype", "VARCHAR", doc="森林火灾, 危化品, 道路交通, 城市内涝 …"),
            C("severity", "SMALLINT", min=1, max=4, doc="1 特别重大(Ⅰ) … 4 一般(Ⅳ)"),
            C("adcode", "INTEGER", region="leaf"),
            C("lon", "DOUBLE", min=-180, max=180),
            C("lat", "DOUBLE", min=-90, max=90),
            C("reported_at", "TIMESTAMP", doc="接报"),
            C("responded_at", "TIMESTAMP", required=False, doc="处置开始; empty while only reported"),
            C("closed_at", "TIMESTAMP", required=False, doc="办结; empty while open"),
            C("deadline_at", "TIMESTAMP", doc="办结时限"),
            C("unit", "VARCHAR", doc="responsible unit"),
            C("title", "VARCHAR"),
            C("reporter", "VARCHAR", required=False, personal=True, doc="reporter name/phone; masked"),
        ),
        key=("event_id",),
        time_column="reported_at",
    ),
    RawTable(
        "emergency_resource",
        "Risk points (风险隐患点), hazard sources (危险源), supply warehouses (应急物资仓库) "
        "and rescue teams (救援队伍), as points.",
        (
            C("resource_id", "VARCHAR"),
            C("kind", "VARCHAR", choices=RESOURCE_KINDS),
            C("name", "VARCHAR"),
            C("subtype", "VARCHAR", required=False),
            C("grade", "SMALLINT", required=False, min=1, max=4, doc="risk grade, 1 = highest"),
            C("adcode", "INTEGER", region="leaf"),
            C("lon", "DOUBLE", min=-180, max=180),
            C("lat", "DOUBLE", min=-90, max=90),
            C("capacity", "DOUBLE", required=False, min=0, doc="stock units or team members"),
            C("updated_at", "TIMESTAMP"),
        ),
        key=("resource_id",),
        time_column="updated_at",
    ),
    RawTable(
        "work_order",
        "12345 hotline work orders. Caller name and phone are personal data: the pipeline "
        "masks them before they reach a snapshot.",
        (
            C("order_id", "VARCHAR"),
            C("created_at", "TIMESTAMP"),
            C("adcode", "INTEGER", region="leaf"),
            C("channel", "VARCHAR", choices=("电话", "网站", "APP", "微信")),
            C("category", "VARCHAR", choices=ORDER_CATEGORIES),
            C("topic", "VARCHAR", doc="城市管理, 住房保障, 交通出行 …"),
            C("department", "VARCHAR", doc="department the order is assigned to"),
            C("caller", "VARCHAR", required=False, personal=True),
            C("phone", "VARCHAR", required=False, personal=True),
            C("due_at", "TIMESTAMP"),
            C("closed_at", "TIMESTAMP", required=False),
            C("satisfied", "BOOLEAN", required=False, doc="caller's rating; empty if not rated"),
        ),
        key=("order_id",),
        time_column="created_at",
    ),
    RawTable(
        "cloud_node",
        "Government cloud nodes: the provincial node, backbone nodes and one per city.",
        (
            C("node_id", "VARCHAR"),
            C("name", "VARCHAR"),
            C("tier", "VARCHAR", choices=NODE_TIERS),
            C("adcode", "INTEGER", region="region", doc="city (or province) hosting the node"),
            C("lon", "DOUBLE", min=-180, max=180),
            C("lat", "DOUBLE", min=-90, max=90),
            C("vcpu_total", "DOUBLE", min=0),
            C("mem_total_gb", "DOUBLE", min=0),
            C("storage_total_tb", "DOUBLE", min=0),
            C("racks", "INTEGER", min=0),
        ),
        key=("node_id",),
    ),
    RawTable(
        "cloud_sample",
        "5-minute resource samples per cloud node and tenant department.",
        (
            C("ts", "TIMESTAMP"),
            C("node_id", "VARCHAR"),
            C("department", "VARCHAR"),
            C("vcpu_alloc", "DOUBLE", min=0),
            C("vcpu_used", "DOUBLE", min=0),
            C("mem_alloc_gb", "DOUBLE", min=0),
            C("mem_used_gb", "DOUBLE", min=0),
            C("storage_alloc_tb", "DOUBLE", min=0),
            C("storage_used_tb", "DOUBLE", min=0),
            C("available", "BOOLEAN", doc="tenant's services reachable in this interval"),
        ),
        key=("ts", "node_id", "department"),
        time_column="ts",
    ),
    RawTable(
        "cloud_energy",
        "Daily energy per cloud node, for PUE (facility / IT).",
        (
            C("day", "DATE"),
            C("node_id", "VARCHAR"),
            C("it_kwh", "DOUBLE", min=0),
            C("facility_kwh", "DOUBLE", min=0),
        ),
        key=("day", "node_id"),
        time_column="day",
    ),
    RawTable(
        "cloud_system",
        "Information systems hosted on the government cloud.",
        (
            C("system_id", "VARCHAR"),
            C("name", "VARCHAR"),
            C("department", "VARCHAR"),
            C("node_id", "VARCHAR"),
            C("onboarded_on", "DATE"),
            C("is_new", "BOOLEAN", doc="newly built system (counts for the cloud-native rate)"),
            C("cloud_native", "BOOLEAN"),
        ),
        key=("system_id",),
        time_column="onboarded_on",
    ),
    RawTable(
        "api_call",
        "Data-sharing API call log: who called whose interface, how fast, with what result.",
        (
            C("call_id", "VARCHAR"),
            C("ts", "TIMESTAMP"),
            C("api_id", "VARCHAR"),
            C("provider_dept", "VARCHAR"),
            C("provider_adcode", "INTEGER", region="region"),
            C("consumer_dept", "VARCHAR"),
            C("consumer_adcode", "INTEGER", region="region"),
            C("latency_ms", "DOUBLE", min=0),
            C("ok", "BOOLEAN"),
        ),
        key=("call_id",),
        time_column="ts",
    ),
    RawTable(
        "data_catalog",
        "Public data resource catalog entries (政务数据资源目录).",
        (
            C("entry_id", "VARCHAR"),
            C("name", "VARCHAR"),
            C("department", "VARCHAR"),
            C("adcode", "INTEGER", region="region"),
            C("category", "VARCHAR", doc="基础/主题/部门"),
            C("data_format", "VARCHAR", doc="数据库表, 文件, 接口 …"),
            C("share_type", "VARCHAR", choices=SHARE_TYPES),
            C("open_type", "VARCHAR", choices=OPEN_TYPES),
            C("update_days", "INTEGER", min=1, doc="更新时限 in days"),
            C("registered_on", "DATE"),
            C("last_updated", "DATE"),
        ),
        key=("entry_id",),
        time_column="last_updated",
    ),
    RawTable(
        "share_request",
        "Requests for shared data (共享申请) and whether they were met.",
        (
            C("request_id", "VARCHAR"),
            C("entry_id", "VARCHAR"),
            C("consumer_dept", "VARCHAR"),
            C("adcode", "INTEGER", region="region"),
            C("requested_at", "TIMESTAMP"),
            C("answered_at", "TIMESTAMP", required=False),
            C("satisfied", "BOOLEAN", required=False),
        ),
        key=("request_id",),
        time_column="requested_at",
    ),
    RawTable(
        "quality_objection",
        "Data quality objections (数据异议) and their resolution.",
        (
            C("objection_id", "VARCHAR"),
            C("entry_id", "VARCHAR"),
            C("adcode", "INTEGER", region="region"),
            C("raised_at", "TIMESTAMP"),
            C("resolved_at", "TIMESTAMP", required=False),
        ),
        key=("objection_id",),
        time_column="raised_at",
    ),
)

RAW_BY_NAME = {t.name: t for t in RAW_TABLES}
