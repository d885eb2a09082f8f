"""TTML output and reading: what accessmedia writes is read back the same, and read by an independent
reader (ttconv) without complaint; check reads TTML; --ttml makes a file per language."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings, strategies as st

from accessmedia.subtitles import markup
from accessmedia.subtitles import formats as subtitles
from accessmedia.subtitles import ttml
from accessmedia.subtitles.cue import Cue
from accessmedia.core.errors import SubtitleError
from accessmedia.core.transcript import Segment, Transcript, Word

from ..conftest import run_cli

text = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd", "Zs", "Po", "Sm")), min_size=1, max_size=10)
line = st.lists(st.one_of(text, st.sampled_from(["<i>kursiv</i>", "<b>fet</b>", "<u>strek</u>", "&", "<", ">", "<script>",
                                                 "\u200fمرحبا\u200f"])), min_size=1, max_size=5).map("".join).map(str.strip).filter(bool).filter(
    # pieces that happen to spell a tag ("<" "b" ">") are markup the line did not mean: only the sampled spans are
    lambda s: not markup.TAG.search(s.replace("<i>kursiv</i>", " ").replace("<b>fet</b>", " ").replace("<u>strek</u>", " ")))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.lists(line, min_size=1, max_size=2), st.sampled_from(["", "line:0"])), max_size=8),
       st.sampled_from(["nb", "ar", "pl"]))
def test_ttml_round_trip(rows, language):
    cues = [Cue(n * 2.5, n * 2.5 + 2.0, tuple(lines), settings) for n, (lines, settings) in enumerate(rows)]
    back, warnings, lang = ttml.parse_ttml(ttml.compose_ttml(cues, language))
    assert back == cues and warnings == [] and lang == language


CUES = [Cue(1.0, 3.5, ("<i>Velkommen</i> til konferansen", "i Oslo & Bergen")), Cue(4.0, 6.25, ("Øverst <b>i</b> bildet",), "line:0"),
        Cue(3600.0, 3602.0, ("<script>alert(1)</script>",))]


@pytest.mark.parametrize("language", ["nb", "ar"])
def test_an_independent_reader_reads_what_is_written(language, caplog):
    from ttconv.imsc import reader
    from ttconv.srt import writer

    document = ttml.compose_ttml(CUES, language)
    with caplog.at_level(logging.WARNING):
        model = reader.to_model(ET.ElementTree(ET.fromstring(document)))
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert model.get_lang() == language
    theirs = subtitles.parse(writer.from_model(model), "ttconv.srt", "srt").cues
    assert [(c.start, c.end, c.text) for c in theirs] == [(c.start, c.end, c.text) for c in CUES]
    root = ET.fromstring(document)
    assert not [e for e in root.iter(f"{{{ttml.TT}}}p") if any(k.startswith(f"{{{ttml.TTS}}}") for k in e.attrib)]  # no inline styles
    if language == "ar":
        assert {p.get("style") for p in root.iter(f"{{{ttml.TT}}}p")} == {"rtl"}
        rtl = next(s for s in root.iter(f"{{{ttml.TT}}}style") if s.get("{http://www.w3.org/XML/1998/namespace}id") == "rtl")
        assert rtl.get(f"{{{ttml.TTS}}}direction") == "rtl"


def test_ttml_from_other_tools_is_read_with_its_times_and_styles():
    document = """<?xml version="1.0" encoding="UTF-8"?>
<tt xmlns="http://www.w3.org/ns/ttml" xmlns:tts="http://www.w3.org/ns/ttml#styling" xmlns:ttp="http://www.w3.org/ns/ttml#parameter"
    xml:lang="nb" ttp:frameRate="25">
  <head><styling><style xml:id="it" tts:fontStyle="italic"/></styling></head>
  <body><div begin="10s">
    <p begin="00:00:01:05" end="00:00:02.5">Første<br/><span style="it">kursiv</span></p>
    <p begin="3s" dur="1500ms">Andre</p>
  </div></body>
</tt>"""
    cues, warnings, lang = ttml.parse_ttml(document)
    assert lang == "nb" and warnings == []
    assert cues == [Cue(11.2, 12.5, ("Første", "<i>kursiv</i>")), Cue(13.0, 14.5, ("Andre",))]


def test_entities_and_bad_xml_are_refused():
    bomb = '<?xml version="1.0"?><!DOCTYPE tt [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><tt xmlns="http://www.w3.org/ns/ttml">&b;</tt>'
    with pytest.raises(SubtitleError, match="document type declaration"):
        ttml.parse_ttml(bomb, "bombe.ttml")
    with pytest.raises(SubtitleError, match="not well-formed XML"):
        ttml.parse_ttml("<tt><p>", "halv.ttml")
    with pytest.raises(SubtitleError, match="not a TTML document"):
        ttml.parse_ttml("<html/>", "side.ttml")


def _transcript(tmp_path):
    words = tuple(Word(w, 1.0 + i * 0.4, 1.3 + i * 0.4, 0.9) for i, w in enumerate("Velkommen til konferansen i dag .".split()))
    path = tmp_path / "tale.transcript.json"
    path.write_text(Transcript("nb", 10.0, (Segment(1.0, 3.3, "Velkommen", words),)).to_json(), encoding="utf-8")
    return path


def test_ttml_is_written_on_request_and_check_reads_it(tmp_path):
    path = _transcript(tmp_path)
    assert run_cli("cues", str(path)).exit_code == 0
    assert not (tmp_path / "tale.nb.ttml").exists()  # only on request
    result = run_cli("cues", str(path), "--ttml", "--force")
    assert result.exit_code == 0, result.output
    assert str(tmp_path / "tale.nb.ttml") in result.output
    ours = subtitles.read(tmp_path / "tale.nb.srt").cues
    assert subtitles.read(tmp_path / "tale.nb.ttml").cues == ours
    checked = run_cli("check", str(tmp_path / "tale.nb.ttml"))
    assert checked.exit_code == 0 and f"{len(ours)} cues, TTML" in checked.output


def test_translations_get_ttml_too_right_to_left_for_arabic_and_corrections_keep_it_current(home, tmp_path):
    from ..editing.test_corrections import SPEECH

    out = tmp_path / "out"
    out.mkdir()
    (out / "tale.nb.srt").write_text(SPEECH, encoding="utf-8")
    result = run_cli("translate", str(out / "tale.nb.srt"), "--to", "en,ar", "--ttml", "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    arabic = ET.parse(out / "tale.ar.ttml").getroot()
    assert arabic.get("{http://www.w3.org/XML/1998/namespace}lang") == "ar"
    assert {p.get("style") for p in arabic.iter(f"{{{ttml.TT}}}p")} == {"rtl"}
    (out / "tale.nb.ttml").write_text(ttml.compose_ttml(subtitles.read(out / "tale.nb.srt").cues, "nb"), encoding="utf-8")
    fixed = tmp_path / "tale.nb.srt"
    fixed.write_text(SPEECH.replace("ny rapport", "fersk rapport"), encoding="utf-8")
    assert run_cli("apply", str(fixed), "--project", str(out)).exit_code == 0
    assert "fersk rapport" in (out / "tale.nb.ttml").read_text(encoding="utf-8")
    assert "FERSK RAPPORT" in (out / "tale.en.ttml").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_upload_bundle_carries_ttml_where_there_is_some(tmp_path):
    import json

    from ..conftest import SAMPLE

    subs = tmp_path / "subs"
    subs.mkdir()
    for lang in ("nb", "ar"):
        (subs / f"konferanse.{lang}.vtt").write_text(subtitles.compose_vtt(CUES[:2]), encoding="utf-8")
    (subs / "konferanse.ar.ttml").write_text(ttml.compose_ttml(CUES[:2], "ar"), encoding="utf-8")
    result = run_cli("package", str(SAMPLE), "--subs", str(subs), "-o", str(tmp_path / "dist"))
    assert result.exit_code == 0, result.output
    upload = tmp_path / "dist" / "upload"
    assert (upload / "konferanse.ar.ttml").read_bytes() == (subs / "konferanse.ar.ttml").read_bytes()
    assert not (upload / "konferanse.nb.ttml").exists()
    meta = {entry["code"]: entry for entry in json.loads((upload / "metadata.json").read_text(encoding="utf-8"))["languages"]}
    assert meta["ar"]["ttml"] == "konferanse.ar.ttml" and "ttml" not in meta["nb"]
