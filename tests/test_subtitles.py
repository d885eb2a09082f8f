"""Reading and writing SRT and WebVTT: round trips, encodings and real-world damage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import srt as srt_lib
import webvtt
from hypothesis import given, settings, strategies as st

from accessmedia.cues import Cue
from accessmedia.subtitles import SubtitleError, compose_srt, compose_vtt, parse, read

from .conftest import run_cli

line_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\r\n\x85\u2028\u2029\ufeff"),
    min_size=1,
    max_size=40,
).map(str.strip).filter(lambda s: s and "-->" not in s and not s.isdigit())


@st.composite
def cue_lists(draw):
    n = draw(st.integers(0, 20))
    t = 0
    cues = []
    for _ in range(n):
        t += draw(st.integers(0, 5000))
        length = draw(st.integers(1, 7000))
        lines = tuple(draw(st.lists(line_text, min_size=1, max_size=2)))
        cues.append(Cue(t / 1000, (t + length) / 1000, lines))
        t += length
    return cues


@settings(max_examples=200, deadline=None)
@given(cue_lists())
def test_srt_round_trip(cues):
    parsed, warnings, fmt = parse(compose_srt(cues))
    assert fmt == "srt" and parsed == cues and not warnings


@settings(max_examples=200, deadline=None)
@given(cue_lists())
def test_vtt_round_trip(cues):
    parsed, warnings, fmt = parse(compose_vtt(cues))
    assert fmt == "vtt" and parsed == cues and not warnings


@settings(max_examples=50, deadline=None)
@given(cue_lists())
def test_srt_agrees_with_the_srt_package(cues):
    theirs = list(srt_lib.parse(compose_srt(cues)))
    assert [(s.start.total_seconds(), s.end.total_seconds(), s.content) for s in theirs] == [
        (c.start, c.end, c.text) for c in cues
    ]


def test_vtt_escapes_markup_so_it_shows_as_text(tmp_path):
    cues = [Cue(1.0, 3.0, ("<script>alert(1)</script> & <img src=x onerror=alert(2)>",))]
    text = compose_vtt(cues)
    assert "<script>" not in text and "&lt;script&gt;" in text
    path = tmp_path / "x.vtt"
    path.write_text(text, encoding="utf-8")
    assert read(path).cues[0].lines == cues[0].lines
    assert webvtt.read(str(path)).captions[0].raw_text.startswith("&lt;script&gt;")


DATA = Path(__file__).parent / "data" / "subtitles"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_world_files_are_read_or_rejected_with_the_line(name):
    expected = EXPECTED[name]
    path = DATA / name
    if "error" in expected:
        with pytest.raises(SubtitleError) as info:
            read(path)
        assert expected["error"] in str(info.value)
        result = run_cli("check", str(path))
        assert result.exit_code == 1 and expected["error"] in result.output
        return
    parsed = read(path)
    assert parsed.encoding == expected["encoding"]
    assert [c.text for c in parsed.cues] == expected["texts"]
    if expected["encoding"] != "utf-8":
        assert any("encoding is" in w for w in parsed.warnings)
    if "warning" in expected:
        assert any(expected["warning"] in w for w in parsed.warnings)
    result = run_cli("check", str(path), "--json")
    report = json.loads(result.output)
    assert report["encoding"] == expected["encoding"]
    if "check_error" in expected:
        assert result.exit_code == 1 and report["errors"][0]["rule"] == expected["check_error"]
    else:
        assert result.exit_code == 0


def test_a_huge_file_is_read(tmp_path):
    cues = [Cue(n * 2.0, n * 2.0 + 1.5, (f"Linje nummer {n}", "og en til")) for n in range(50_000)]
    path = tmp_path / "huge.srt"
    path.write_text(compose_srt(cues), encoding="utf-8")
    parsed = read(path)
    assert len(parsed.cues) == 50_000 and parsed.cues[-1] == cues[-1]
    assert run_cli("check", str(path)).exit_code == 0


def test_check_reports_overlap_and_order_as_errors(tmp_path):
    path = tmp_path / "overlap.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:04,000\nFørste\n\n2\n00:00:03,000 --> 00:00:05,000\nAndre\n\n"
        "3\n00:00:07,000 --> 00:00:06,000\nBaklengs\n",
        encoding="utf-8",
    )
    result = run_cli("check", str(path), "--json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert {(e["cue"], e["rule"]) for e in report["errors"]} == {(1, "overlap"), (3, "timing")}


def test_check_style_advice_alone_exits_zero(tmp_path):
    path = tmp_path / "fast.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:01,500\nDenne linjen er altfor lang til å leses på så kort tid, og den er for lang\n",
        encoding="utf-8",
    )
    result = run_cli("check", str(path))
    assert result.exit_code == 0, result.output
    for rule in ("line_length", "reading_speed", "min_duration"):
        assert f"advice: cue 1 at 00:00:01.000: {rule}" in result.output


def test_missing_timing_line_names_the_line():
    with pytest.raises(SubtitleError, match=r"x.srt:6: expected a timing line"):
        parse("1\n00:00:01,000 --> 00:00:02,000\nHei\n\n2\nHallo\n", "x.srt")
