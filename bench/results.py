"""bench/RESULTS.md: one section per benchmark, each rewritten in its place by its own run. What a person wrote
below the NOTES line of a section (why a target is missed, what was tried) is kept when the section is rewritten."""

from __future__ import annotations

from pathlib import Path

from accessmedia.core.fsutil import write_atomic

PATH = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = "# Benchmark results\n\nEach section is rewritten by the benchmark named in its title.\n\n"
NOTES = "<!-- written by hand: kept when the benchmark rewrites this section -->"


def write_section(title: str, lines: list[str], path: Path = PATH) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    block = "\n".join([f"## {title}", "", *lines]).rstrip("\n") + "\n"
    start = text.find(f"## {title}\n")
    if start < 0:
        write_atomic(path, text.rstrip("\n") + "\n\n" + block)
        return
    end = text.find("\n## ", start + 1)
    end = len(text) if end < 0 else end + 1
    old = text[start:end]
    if NOTES in old:
        block += "\n" + old[old.index(NOTES):].rstrip("\n") + "\n"
    write_atomic(path, text[:start] + block + ("\n" if end < len(text) else "") + text[end:])
