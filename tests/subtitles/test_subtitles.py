"""Reading and writing SRT and WebVTT: round trips, encodings and real-world damage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import srt as srt_lib
import webvtt
from hypothesis import assume, given, settings, strategies as st

from accessmedia.subtitles.cue import Cue
from accessmedia.subtitles.formats import SubtitleError, compose_srt, compose_vtt, parse, read

from ..conftest import run_cli

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
    # SRT has no escaping: text with '<' or '{' may be markup (<i>, </font>, {\an8}); the markup round trip
    # is its own test below
    assume(not any("<" in line or "{" in line for c in cues for line in c.lines))
    parsed = parse(compose_srt(cues))
    assert parsed.format == "srt" and parsed.cues == cues and not parsed.warnings and not parsed.skipped


@settings(max_examples=200, deadline=None)
@given(cue_lists())
def test_vtt_round_trip(cues):
    parsed = parse(compose_vtt(cues))
    assert parsed.format == "vtt" and parsed.cues == cues and not parsed.warnings and not parsed.skipped


@settings(max_examples=50, deadline=None)
@given(cue_lists())
def test_srt_agrees_with_the_srt_package(cues):
    assume(not any("<" in line or "{" in line for c in cues for line in c.lines))  # markup: its own tests
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


DATA = Path(__file__).parents[1] / "data" / "subtitles"
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
        assert any(expected["warning"] in w for w in parsed.warnings), parsed.warnings
    assert bool(parsed.skipped) == ("skipped" in expected) and all(expected["skipped"] in s for s in parsed.skipped[:1]), parsed.skipped
    result = run_cli("check", str(path), "--json")
    report = json.loads(result.output)
    assert report["encoding"] == expected["encoding"]
    if "skipped" in expected:
        assert result.exit_code == 1 and expected["skipped"] in report["skipped"][0]
    elif "check_error" in expected:
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


def test_a_block_without_a_timing_line_is_skipped_and_named_with_its_line():
    parsed = parse("1\n00:00:01,000 --> 00:00:02,000\nHei\n\n2\nHallo\n\n3\n00:00:03,000 --> 00:00:04,000\nSiste\n", "x.srt")
    assert [c.text for c in parsed.cues] == ["Hei", "Siste"]
    assert len(parsed.skipped) == 1 and parsed.skipped[0].startswith("x.srt:6: not a cue"), parsed.skipped


def test_times_are_read_as_decimal_fractions_and_large_hours():
    parsed = parse("1\n00:00:01,5 --> 00:00:02,25\nHalv\n\n2\n1000:00:00,000 --> 1000:00:01,000\nLang\n\n3\n00:00:07 --> 00:00:08\nHel\n")
    assert [(c.start, c.end) for c in parsed.cues] == [(1.5, 2.25), (3_600_000.0, 3_600_001.0), (7.0, 8.0)]
    assert sum("decimal fraction" in w for w in parsed.warnings) == 1 and any("without milliseconds" in w for w in parsed.warnings)


def test_no_cue_is_lost_without_a_word():
    """Every timing line in a file ends up as a cue, or as a skipped block with its line."""
    import re as regex

    for path in sorted(DATA.glob("*.*t*")):
        if path.suffix not in (".srt", ".vtt", ".webvtt") or "error" in EXPECTED.get(path.name, {}):
            continue
        parsed = read(path)
        text = path.read_bytes().decode("utf-8", "replace")
        timings = len(regex.findall(r"\d[:：]\d\d[,.，]?\d*[ \t\v\f]*(?:--|- |-- |-)>", text))
        lost = sum("not a cue" in s or "cue skipped" in s for s in parsed.skipped)
        assert len(parsed.cues) + lost >= timings, (path.name, len(parsed.cues), lost, timings)


def test_character_references_are_decoded_and_a_no_break_space_is_text():
    parsed = parse('WEBVTT\n\n00:01.000 --> 00:02.000\n&quot;Sitat&quot; &#x2014; &#8212; &amp;lt;\n\n'
                   "00:03.000 --> 00:04.000\n&nbsp;\n", "x.vtt")
    assert [c.lines for c in parsed.cues] == [('"Sitat" — — &lt;',), ("\u00a0",)]
    again = parse(compose_vtt(parsed.cues), "y.vtt")
    assert again.cues == parsed.cues  # a cue holding only a no-break space keeps it
    assert parse("1\n00:00:01,000 --> 00:00:02,000\n\u00a0\n", "z.srt").cues[0].lines == ("\u00a0",)


def test_markup_is_kept_as_webvtt_defines_it_and_srt_tags_become_webvtt():
    srt = read(DATA / "srt-markup.srt")
    assert srt.cues[0].settings == "line:0" and srt.cues[1].settings == ""  # {\an8}: the top of the picture
    vtt = compose_vtt(srt.cues)
    assert "00:00:01.000 --> 00:00:03.000 line:0\n<i>Øverst</i> i bildet" in vtt and "<c.yellow>Gul</c>" in vtt
    assert [c.text for c in webvtt.from_buffer(__import__("io").StringIO(vtt)).captions][:2] == ["Øverst i bildet", "Gul og fet strek"]
    back = compose_srt(srt.cues)
    assert "{\\an8}<i>Øverst</i> i bildet" in back and '<font color="#ffff00">Gul</font> og <b>fet</b>' in back
    spans = read(DATA / "vtt-spans.vtt")
    assert spans.cues[0].settings == "line:0 align:start"
    assert "<v Kari Nordmann>Velkommen</v> til <i>alle</i>" in compose_vtt(spans.cues)
    assert "Velkommen til <i>alle</i>" in compose_srt(spans.cues)  # SRT has no voices: their text stays


markup_line = st.lists(st.one_of(
    st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd", "Zs", "Po"), blacklist_characters="\u00a0"),
            min_size=1, max_size=8),
    st.sampled_from(["<i>", "</i>", "<b>", "</b>", "<u>", "</u>", "<c.yellow>", "</c>", "<v Kari>", "</v>", "&", "<", ">",
                     "<script>", "\u200fمرحبا\u200f"]),
), min_size=1, max_size=6).map("".join).map(str.strip).filter(bool)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.lists(markup_line, min_size=1, max_size=2), st.sampled_from(["", "line:0", "line:0 align:start"])),
                max_size=8))
def test_vtt_round_trip_with_markup_and_settings(rows):
    cues = [Cue(n * 2.0, n * 2.0 + 1.5, tuple(lines), settings) for n, (lines, settings) in enumerate(rows)]
    parsed = parse(compose_vtt(cues))
    assert parsed.cues == cues and not parsed.skipped


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.lists(markup_line.filter(lambda t: "<v" not in t and "</v>" not in t and "</c>" not in t
                                                     and "<c." not in t), min_size=1, max_size=2),
                          st.sampled_from(["", "line:0"])), max_size=8))
def test_srt_round_trip_with_markup_and_the_top_position(rows):
    cues = [Cue(n * 2.0, n * 2.0 + 1.5, tuple(lines), settings) for n, (lines, settings) in enumerate(rows)]
    parsed = parse(compose_srt(cues))
    assert parsed.cues == cues and not parsed.skipped


def test_a_windows_1250_file_in_a_south_slavic_language_is_read_without_a_language_hint(tmp_path):
    """As Subtitle Edit detects its auto_detect_windows-1250.srt: š, ž and đ say cp1250; a Czech name in a
    Norwegian cp1252 file does not."""
    text = ("1\n00:00:01,000 --> 00:00:02,500\nĐino! Policija je došla.\n\n2\n00:00:03,000 --> 00:00:05,000\n"
            "Neće da izađe odatle.\nŽivotinje, baš svaki put.\n\n3\n00:00:05,500 --> 00:00:07,000\nNišta se ne menja, Đorđe.\n")
    path = tmp_path / "film.srt"
    path.write_bytes(text.encode("cp1250"))
    found = read(path)
    assert found.encoding == "cp1250" and found.cues[0].text == "Đino! Policija je došla."
    norwegian = tmp_path / "tale.srt"
    norwegian.write_bytes("1\n00:00:01,000 --> 00:00:03,000\nVi kjørte Škoda til Ås, på blåbærtur.\n".encode("cp1252"))
    assert read(norwegian).encoding == "cp1252"


def test_a_webvtt_cue_whose_identifier_line_has_an_arrow_is_dropped_as_browsers_drop_it(tmp_path):
    """vtt.js tests/integration/id.vtt: a first line with '-->' is the timing line to a browser; not being one, the cue goes."""
    path = tmp_path / "id.vtt"
    path.write_text("WEBVTT\n\n1\n00:01.000 --> 00:02.000\nDette\n\nTilfeldig\n00:02.000 --> 00:03.000\ner\n\n-->\n"
                    "00:04.000 --> 00:05.000\nen\n\nja88120 aa\n00:06.000 --> 00:07.000\nprøve?\n", encoding="utf-8")
    found = read(path)
    assert [c.text for c in found.cues] == ["Dette", "er", "prøve?"]
    assert len(found.skipped) == 1 and "browsers" in found.skipped[0]
