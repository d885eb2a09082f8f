"""bench/RESULTS.md is rewritten section by section: in place, and with what a person wrote below the notes line."""

from __future__ import annotations

from bench.results import HEADER, NOTES, write_section


def test_a_section_is_rewritten_in_its_place_and_keeps_the_notes_written_by_hand(tmp_path):
    path = tmp_path / "RESULTS.md"
    write_section("A (bench/a.py)", ["a: 1"], path)
    write_section("B (bench/b.py)", ["b: 1"], path)
    write_section("C (bench/c.py)", ["c: 1"], path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("b: 1\n", f"b: 1\n\n{NOTES}\nWhy b missed its target.\n"), encoding="utf-8")

    write_section("B (bench/b.py)", ["b: 2"], path)
    write_section("A (bench/a.py)", ["a: 2"], path)

    text = path.read_text(encoding="utf-8")
    assert text.startswith(HEADER)
    assert text.index("## A") < text.index("## B") < text.index("## C")  # each where it was, not moved to the end
    assert "a: 1" not in text and "b: 1" not in text and "a: 2" in text and "b: 2" in text and "c: 1" in text
    b = text[text.index("## B"):text.index("## C")]
    assert b.index("b: 2") < b.index(NOTES) < b.index("Why b missed its target.")  # the figures first, then the notes
    assert text.count("## ") == 3 and "\n\n\n" not in text


def test_a_title_that_begins_another_title_is_not_taken_for_it(tmp_path):
    path = tmp_path / "RESULTS.md"
    write_section("Live captions over 30 minutes (bench/live.py --minutes 30)", ["soak"], path)
    write_section("Live captions", ["short"], path)
    write_section("Live captions", ["short again"], path)
    text = path.read_text(encoding="utf-8")
    assert "soak" in text and "short again" in text and "short\n" not in text
