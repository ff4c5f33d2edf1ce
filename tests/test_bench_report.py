"""The bench rewrites its own part of docs/benchmarks.md and keeps what people wrote below the marker."""

import json
from pathlib import Path

from recommender.bench import HAND_WRITTEN, write_report

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_the_report_keeps_the_notes_written_below_the_marker(tmp_path):
    run = json.loads((DOCS / "benchmarks.json").read_text(encoding="utf-8"))
    (tmp_path / "benchmarks.md").write_text(f"# old figures\n\n{HAND_WRITTEN}\n\n## Notes\n\nkept as written\n")
    text = write_report(dict(run, query_p50_ms=12.345), tmp_path).read_text(encoding="utf-8")
    assert "old figures" not in text and "12.3 ms" in text  # the bench's part is new
    assert text.endswith(f"{HAND_WRITTEN}\n\n## Notes\n\nkept as written\n")
    assert text.count(HAND_WRITTEN) == 1
    (tmp_path / "benchmarks.md").write_text("# figures only\n")  # no marker: nothing to keep
    assert HAND_WRITTEN not in write_report(run, tmp_path).read_text(encoding="utf-8")
