"""Every WebVTT file accessmedia writes, as a browser reads it: Chromium loads it as a <track> and the
cues it exposes (times and text) must be the cues written. Generated cues (hypothesis, a fixed number
of examples in one browser) and hostile ones: markup-like text, '&', '-->', no-break spaces, RTL marks."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from accessmedia.subtitles import markup
from accessmedia.subtitles.cue import Cue
from accessmedia.subtitles.formats import compose_vtt

from ..chromium import chromium, serve

pytestmark = pytest.mark.slow  # a browser

PAGE = """<!doctype html><meta charset="utf-8"><video id="v"></video><script>
window.readTrack = async (src) => {
  const video = document.getElementById("v");
  video.querySelectorAll("track").forEach(t => t.remove());
  const track = document.createElement("track");
  track.kind = "subtitles"; track.src = src; track.default = true;
  video.appendChild(track);
  track.track.mode = "hidden";
  await new Promise((ok, fail) => { track.onload = ok; track.onerror = () => fail(new Error("track error")); });
  return Array.from(track.track.cues).map(c => [Math.round(c.startTime * 1000), Math.round(c.endTime * 1000), c.getCueAsHTML().textContent,
    Array.from(c.getCueAsHTML().querySelectorAll("i")).map(e => e.textContent).join("|"), c.line]);
};
</script>"""

HOSTILE = [
    Cue(1.0, 2.5, ("<script>alert(1)</script>", "a < b && c > d")),
    Cue(3.0, 4.0, ("tekst --> mer tekst",)),
    Cue(5.0, 6.0, ("\u00a0",)),
    Cue(7.0, 8.0, ("\u200fمرحبا IMDi 2024.\u200f", "&amp; &lt;i&gt;")),
    Cue(3600.0 * 10, 3600.0 * 10 + 1.25, ("ti timer inn",)),
    Cue(36001.5, 36003.0, ("<i>kursiv</i> og <b>fet</b>", "<v Kari>Kari</v> <c.yellow>gul</c>"), "line:0"),
]

line_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp", "Co", "Cn"),
                                           blacklist_characters="\r\n\x85\ufeff"), min_size=1, max_size=30).map(str.strip).filter(bool)


@st.composite
def cue_lists(draw):
    t, cues = 0, []
    for _ in range(draw(st.integers(1, 8))):
        t += draw(st.integers(0, 3000))
        length = draw(st.integers(1, 6000))
        cues.append(Cue(t / 1000, (t + length) / 1000, tuple(draw(st.lists(line_text, min_size=1, max_size=2)))))
        t += length
    return cues


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tracks")
    (folder / "index.html").write_text(PAGE, encoding="utf-8")
    count = [0]
    with chromium() as browser, serve(folder) as base:
        page = browser.new_page()
        page.goto(f"{base}/index.html")

        def read(cues: list[Cue]) -> list[list]:
            count[0] += 1
            name = f"t{count[0]}.vtt"
            (folder / name).write_text(compose_vtt(cues), encoding="utf-8")
            return page.evaluate("src => window.readTrack(src)", name)

        yield read


def expected(cues: list[Cue]) -> list[list]:
    """What the browser should expose: the text without its tags, the italic parts, the line position."""
    import re

    italics = lambda c: "|".join(re.findall(r"<i>(.*?)</i>", "\n".join(c.lines)))  # noqa: E731
    return [[round(c.start * 1000), round(c.end * 1000), markup.plain("\n".join(c.lines)), italics(c), 0 if c.settings == "line:0" else "auto"]
            for c in cues]


def test_hostile_text_reaches_the_browser_as_written(reader):
    assert reader(HOSTILE) == expected(HOSTILE)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cue_lists())
def test_generated_cues_reach_the_browser_as_written(reader, cues):
    assert reader(cues) == expected(cues)
