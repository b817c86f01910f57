"""UI strings, Chinese first. One table so a missing translation is one grep away."""
from __future__ import annotations

LANGS = ("zh", "en")

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("指挥驾驶舱", "Command Cockpit"),
    "page_overview": ("综合态势", "Overview"),
    "page_economy": ("经济运行", "Economy"),
    "page_emergency": ("应急指挥", "Emergency"),
    "page_cloud": ("政务云", "Gov cloud"),
    "page_sharing": ("数据共享", "Data sharing"),
    "page_indicator": ("指标详情", "Indicator"),
    "page_status": ("数据状态", "Data status"),
    "page_wall": ("轮播大屏", "Wall"),
    "data_age": ("数据更新于", "Data as of"),
    "age_seconds": ("{n} 秒前", "{n} s ago"),
    "age_minutes": ("{n} 分钟前", "{n} min ago"),
    "age_hours": ("{n} 小时前", "{n} h ago"),
    "age_days": ("{n} 天前", "{n} d ago"),
    "stale": ("数据已过期", "Stale"),
    "offline": ("连接中断 · 显示最后数据", "Offline · showing last data"),
    "demo": ("演示数据（模拟生成，非真实统计）", "Demo data (simulated, not real statistics)"),
    "map_title": ("{indicator} · 分区分布", "{indicator} by region"),
    "map_hint": ("点击地图下钻", "Click a region to drill down"),
    "ranking_title": ("{indicator} · 下级排名", "{indicator}: ranking"),
    "trend_title": ("{indicator} · 走势", "{indicator}: trend"),
    "alerts_title": ("实时告警", "Live alerts"),
    "targets_title": ("规划目标达成度", "Targets"),
    "no_alerts": ("当前无告警", "No open alerts"),
    "no_data": ("暂无数据", "No data"),
    "panel_failed": ("本面板暂时无法显示（已记录）", "This panel could not be drawn (logged)"),
    "value": ("数值", "Value"),
    "region": ("地区", "Region"),
    "period": ("期间", "Period"),
    "level": ("级别", "Level"),
    "since": ("发生时间", "Since"),
    "department": ("责任部门", "Department"),
    "target": ("目标", "Target"),
    "baseline": ("基期", "Baseline"),
    "actual": ("当前", "Actual"),
    "on_track": ("达标", "On track"),
    "off_track": ("未达标", "Behind"),
    "vs_previous": ("环比", "vs prev."),
    "vs_year": ("同比", "YoY"),
    "same_period_last_year": ("上年同期", "Last year"),
    "source": ("来源", "Source"),
    "snapshot": ("快照", "Snapshot"),
    "definition": ("定义", "Definition"),
    "unit": ("单位", "Unit"),
    "rollup": ("汇总方式", "Rollup"),
    "cadence": ("更新频率", "Cadence"),
    "freshness": ("数据新鲜度", "Freshness"),
    "export": ("导出", "Export"),
    "indicator_select": ("选择指标", "Indicator"),
    "alarm": ("告警", "Alarm"),
    "warn": ("预警", "Warning"),
    "ok": ("正常", "Normal"),
    "bad_param": ("链接参数有误：{msg}。已按默认显示。", "Bad link parameter: {msg}. Showing the default view."),
    "not_found": ("页面不存在：{path}", "No such page: {path}"),
    "no_snapshot": ("尚无可用的数据快照，请先运行构建。", "No snapshot yet: run a build first."),
    "rollup_sum": ("下级求和", "sum of parts"),
    "rollup_ratio": ("分子分母分别汇总后相除", "ratio of summed parts"),
    "rollup_growth": ("汇总后计算同比增速", "growth of summed levels"),
    "rollup_mean": ("按权重加权平均", "weighted mean"),
    "rollup_none": ("各级直接取数，不汇总", "given per level, not rolled up"),
}


def t(key: str, lang: str = "zh", **fmt) -> str:
    zh, en = STRINGS[key]
    text = en if lang == "en" else zh
    return text.format(**fmt) if fmt else text


def age_text(seconds: float, lang: str = "zh") -> str:
    s = max(0, int(seconds))
    if s < 90:
        return t("age_seconds", lang, n=s)
    if s < 5400:
        return t("age_minutes", lang, n=s // 60)
    if s < 172800:
        return t("age_hours", lang, n=s // 3600)
    return t("age_days", lang, n=s // 86400)
