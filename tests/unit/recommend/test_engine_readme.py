"""The README quotes the engine's measured quality and speed with the machine they came from (an
issue 10 "Done when" item), in its own subsection."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parents[3] / "README.md"


def test_readme_quotes_the_quality_table_and_the_engine_speed():
    text = README.read_text(encoding="utf-8")
    start = text.index("### Recommendations: quality and engine speed")
    section = text[start : text.index("\n## ", start)]
    for needed in ("benchmarks/recommend_quality.py", "benchmarks/recommend_speed.py", "recall@10", "x86_64"):
        assert needed in section
    assert "| **served** (the blend) |" in section
    assert "p95" in section
