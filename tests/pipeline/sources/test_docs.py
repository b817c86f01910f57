"""docs/SOURCES.md is generated from the raw schema and must be kept in step with it."""
from pathlib import Path

from pipeline.raw_schema import RAW_TABLES
from pipeline.sources.docs import render_sources_md

SOURCES_MD = Path(__file__).resolve().parents[3] / "docs" / "SOURCES.md"


def test_committed_sources_md_is_up_to_date():
    assert SOURCES_MD.read_text(encoding="utf-8") == render_sources_md(), (
        "docs/SOURCES.md is stale: run `.venv/bin/python -m pipeline.sources.docs > docs/SOURCES.md`")


def test_every_column_is_documented():
    text = render_sources_md()
    for table in RAW_TABLES:
        section = text.split(f"### `{table.name}`", 1)[1].split("\n### ", 1)[0]
        for col in table.columns:
            assert f"| `{col.name}` | {col.type} |" in section
