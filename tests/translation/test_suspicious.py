"""Translations to check first: copies of the source, far longer or shorter than it, repetition loops;
in the translations record, the run report and the review app."""

from __future__ import annotations

import json

import pytest

from accessmedia.subtitles.cue import Cue
from accessmedia.translation.suspicious import flags, repeats

from ..conftest import run_cli


def test_what_is_flagged_and_what_is_not():
    source = [Cue(0, 2, ("Velkommen til konferansen om integrering.",)), Cue(3, 5, ("Vi ses i 2025 igjen.",)),
              Cue(6, 8, ("Dette er en lang setning om mange ting her.",)), Cue(9, 11, ("<v Taler 1>Taler 1: Hei og velkommen alle sammen.",)),
              Cue(12, 14, ("Ja.",)), Cue(15, 17, ("Takk for at dere kom hit i dag.",))]
    target = [Cue(0, 1, ("Welcome to the conference",)), Cue(1.1, 2, ("on integration.",)),  # split in two: fine
              Cue(3, 5, ("Vi ses i 2025 igjen.",)),  # a copy
              Cue(6, 8, ("Yes.",)),  # far shorter
              Cue(9, 11, ("<v Taler 1>Taler 1: the the the the end",)),  # a loop (the label is not counted)
              Cue(12, 14, ("Yes, indeed, that is exactly what I think about it all.",)),  # a short source is not judged by length
              Cue(15, 17, ("Thank you for coming here today.",))]
    found = [(f.cue, f.reason) for f in flags(source, target)]
    assert found == [(2, "the same as its source: not translated"), (3, "a fraction (9%) of its source's length"), (4, "repeats itself")]
    long = flags([Cue(0, 2, ("Takk for at dere kom i dag.",))], [Cue(0, 2, ("Thank you " * 12,))])
    assert [f.reason for f in long] == ["repeats itself"]
    assert repeats("ja ja ja ja") and repeats("på den ene siden på den ene siden på den ene siden") and not repeats("ja ja ja nei")
    assert flags([Cue(0, 2, ("Amina Yusuf.",))], [Cue(0, 2, ("Amina Yusuf.",))]) == []  # a name is rightly the same


def test_flags_reach_the_record_the_report_and_the_review_app(home, tmp_path):
    """The toy nb->en model writes capitals: a cue of numbers comes out the same, as a copy would."""
    from ..web.test_review_security import running

    out = tmp_path / "tale"  # a recording's folder, as process makes it: OUT/NAME
    out.mkdir()
    (out / "tale.nb.srt").write_text("1\n00:00:01,000 --> 00:00:03,000\nVelkommen til konferansen.\n\n"
                                     "2\n00:00:04,000 --> 00:00:06,000\n2024, 2025, 2026.\n", encoding="utf-8")
    assert run_cli("translate", str(out / "tale.nb.srt"), "--to", "en", "-o", str(out), "-q").exit_code == 0
    record = json.loads((out / "tale.translations.json").read_text(encoding="utf-8"))
    assert record["produced"]["en"]["suspicious"] == [{"cue": 2, "start": 4.0, "end": 6.0, "reason": "the same as its source: not translated", "kind": "untranslated", "ratio": 0.0}]
    with running(out) as c:
        status, data = c.request("GET", c.q("/api/cues?name=tale&lang=en"))
    assert status == 200 and data["check"] == [[4.0, 6.0, "the same as its source: not translated", "untranslated", 0.0]]
    from accessmedia.runs import report
    from accessmedia.runs.process import Job, ProcessResult
    from accessmedia.pipeline.settings import build

    job = Job(tmp_path / "tale.mp4", tmp_path, build(targets=["en"]))
    entry = report.session(job, ProcessResult("tale", out, (), 0.0), "Tale")
    assert entry["check_first"]["en"][0]["reason"] == "the same as its source: not translated"
    assert "Translations to check first" in report.render_html(report.build("x", [entry], 0.0, 1.0, "local", 1))


@pytest.mark.slow
def test_the_review_page_shows_what_to_check_first(home, tmp_path):
    from ..web.test_review_security import serve_review
    from ..chromium import chromium, serious_violations

    out = tmp_path / "tale"
    out.mkdir()
    (out / "tale.nb.srt").write_text("1\n00:00:01,000 --> 00:00:03,000\nVelkommen til konferansen.\n\n"
                                     "2\n00:00:04,000 --> 00:00:06,000\n2024, 2025, 2026.\n", encoding="utf-8")
    assert run_cli("translate", str(out / "tale.nb.srt"), "--to", "en", "-o", str(out), "-q").exit_code == 0
    server, base = serve_review(out, None)
    try:
        with chromium() as browser:
            page = browser.new_page()
            page.goto(f"{base}/edit?name=tale&lang=en")
            page.wait_for_selector("#check-summary:not([hidden])")
            assert page.locator("#check-count").text_content() == "1"
            flagged = page.locator("li[data-check]")
            assert flagged.count() == 1 and "Sjekk: det samme som originalen: ikke oversatt" in flagged.text_content()
            page.click("#check-first")
            assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "tekst 2"
            assert serious_violations(page) == []
    finally:
        server.should_exit = True
