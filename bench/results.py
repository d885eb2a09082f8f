"""bench/RESULTS.md: one section per benchmark, each rewritten by its own run."""

from __future__ import annotations

from pathlib import Path

PATH = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = "# Benchmark results\n\nEach section is rewritten by the benchmark named in its title.\n\n"


def write_section(title: str, lines: list[str]) -> None:
    text = PATH.read_text(encoding="utf-8") if PATH.exists() else HEADER
    start = text.find(f"## {title}")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + text[end + 1 if end >= 0 else len(text) :]
    PATH.write_text(text.rstrip("\n") + "\n\n" + "\n".join([f"## {title}", "", *lines]).rstrip("\n") + "\n", encoding="utf-8")
