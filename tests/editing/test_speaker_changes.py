"""Naming and merging speakers (issue 21, items 6 and 7): journalled so that a kill at any step is finished by
the next command, a name another voice has is refused unless the user says they are one person, and an explicit
merge changes every file alike. The event site follows a naming at once."""

from __future__ import annotations

import json
import shutil

import pytest

from accessmedia.core.transcript import Transcript
from accessmedia.editing import revisions
from accessmedia.speakers import record as speakers
from accessmedia.subtitles import formats as subtitles
from accessmedia.subtitles import voices

from ..conftest import run_cli
from ..web.test_review_security import running
from .agreement import agree, killed_at, two_voices


def _names(files) -> set[str]:
    return set(speakers.labels(speakers.read(files.speakers)).values())


def _voices(files, lang: str) -> set[str]:
    return {v for c in subtitles.read(files.subtitles(lang, "vtt")).cues for v in voices.voices(c.lines)}


@pytest.mark.slow  # a command line run per step killed, like test_faults.py: 10 s
def test_a_rename_killed_at_any_step_is_finished_by_the_next_command(home, tmp_path):
    made = two_voices(tmp_path / "made")
    env = {"ACCESSMEDIA_MODELS": str(home)}
    step = 0
    while True:
        step += 1
        project = tmp_path / f"try{step}"
        shutil.copytree(made.folder, project)
        files = type(made)(project, made.name)
        status = killed_at(step, "speakers", str(project), "--name", "Taler 1=Kari Nordmann", env=env)
        listed = run_cli("speakers", str(project), "--json")  # the next command: it finishes what was killed
        assert listed.exit_code == 0, listed.output
        agree(files)
        names = _names(files)
        assert names in ({"Taler 1", "Taler 2", "Taler 3"}, {"Kari Nordmann", "Taler 2", "Taler 3"}), (step, names)
        for lang in ("nb", "en"):  # every language says what speakers.json says: all old, or all new
            assert _voices(files, lang) == names, (step, lang)
        if "Kari Nordmann" in names:
            assert (project / "tale.txt").read_text(encoding="utf-8").startswith("Kari Nordmann [00:00:00]: ")
            assert "Kari_Nordmann" in (project / "tale.rttm").read_text(encoding="utf-8")
        if status == 0:  # it ran to the end without being killed: every step was tried
            assert "Kari Nordmann" in names and step > 8
            break
        again = run_cli("speakers", str(project), "--name", "Taler 1=Kari Nordmann")  # the person tries again
        assert again.exit_code == 0 or "no speaker called 'Taler 1'" in again.output, again.output
        assert _names(files) == {"Kari Nordmann", "Taler 2", "Taler 3"}


def test_a_name_another_voice_has_is_refused_unless_the_voices_are_merged(home, tmp_path):
    files = two_voices(tmp_path / "out")
    before = {p.name: p.read_bytes() for p in files.folder.iterdir() if p.is_file() and not p.name.startswith(".")}
    refused = run_cli("speakers", str(files.folder), "--name", "Taler 3=Taler 1")
    assert refused.exit_code == 1 and "'Taler 1' is already the name of another voice" in refused.output and "--merge" in refused.output
    assert {p.name: p.read_bytes() for p in files.folder.iterdir() if p.is_file() and not p.name.startswith(".")} == before  # nothing changed
    assert run_cli("speakers", str(files.folder), "--name", "Taler 3=taler 1").exit_code == 1  # case does not make two people

    merged = run_cli("speakers", str(files.folder), "--name", "Taler 3=Taler 1", "--merge", "--by", "Siri")
    assert merged.exit_code == 0, merged.output
    assert "Taler 3 merged into Taler 1" in merged.output
    agree(files)
    data = speakers.read(files.speakers)
    assert [s["id"] for s in data["speakers"]] == ["S1", "S2"] and {w for _a, _b, w in data["turns"]} == {"S1", "S2"}
    transcript = Transcript.from_json(files.transcript.read_text(encoding="utf-8"))
    assert {w.speaker for w in transcript.words} == {"S1", "S2"} and [s["id"] for s in transcript.speakers] == ["S1", "S2"]
    assert next(s for s in data["speakers"] if s["id"] == "S1")["words"] == 5 + 7 + 7
    for lang in ("nb", "en"):
        assert _voices(files, lang) == {"Taler 1", "Taler 2"}, lang
        assert revisions.history(files.folder, files.name, lang)[-1].note == "merged Taler 3 into Taler 1"
    assert "Taler 3" not in files.text.read_text(encoding="utf-8") + files.rttm.read_text(encoding="utf-8")

    # the next naming of the merged voice names it in every file (it renamed only the subtitles before)
    named = run_cli("speakers", str(files.folder), "--name", "Taler 1=Kari Nordmann")
    assert named.exit_code == 0, named.output
    agree(files)
    for lang in ("nb", "en"):
        assert _voices(files, lang) == {"Kari Nordmann", "Taler 2"}, lang
    text = files.text.read_text(encoding="utf-8")
    assert text.count("Kari Nordmann [") == 3 and "Taler 1" not in text and "Kari_Nordmann" in files.rttm.read_text(encoding="utf-8")


def test_two_names_the_same_in_one_command_are_refused(home, tmp_path):
    files = two_voices(tmp_path / "out")
    result = run_cli("speakers", str(files.folder), "--name", "Taler 1=Kari", "--name", "Taler 2=Kari")
    assert result.exit_code == 1 and "already the name of another voice" in result.output
    assert _names(files) == {"Taler 1", "Taler 2", "Taler 3"}


def test_the_review_panel_refuses_a_taken_name_with_409_and_merges_when_asked(home, tmp_path):
    files = two_voices(tmp_path / "out")

    def name(c, body: dict):
        headers = {"Origin": c.base, "Content-Type": "application/json", "Sec-Fetch-Site": "same-origin", "X-CSRF-Token": c.csrf()}
        return c.request("POST", "/api/speakers/name?name=tale", json.dumps(body).encode("utf-8"), headers)

    with running(files.folder) as c:
        status, data = name(c, {"speaker": "S3", "to": "Taler 2"})
        assert status == 409 and data["merge"] is True and "already the name of another voice" in data["error"], data
        assert str(tmp_path) not in data["error"]
        assert _names(files) == {"Taler 1", "Taler 2", "Taler 3"}
        status, data = name(c, {"speaker": "S3", "to": "Taler 2", "merge": True})
        assert status == 200 and data["merged"] == {"tale": {"Taler 3": "Taler 2"}}, data
    agree(files)
    assert _voices(files, "nb") == {"Taler 1", "Taler 2"}


def test_the_event_site_shows_names_as_soon_as_they_are_given(home, tmp_path):
    from accessmedia.packaging import eventsite

    event = tmp_path / "ut"
    files = two_voices(event / "tale")
    site = {"title": "Konferanse", "sessions": [{"name": "tale", "title": "Åpning", "duration": 17.0, "speakers": [],
                                                  "languages": ["nb", "en"], "agenda": []}]}
    (event / ".accessmedia").mkdir()
    (event / eventsite.SITE_RECORD).write_text(json.dumps(site), encoding="utf-8")
    eventsite.refresh(event)
    assert "Taler 1 (" in (event / "index.html").read_text(encoding="utf-8")
    result = run_cli("speakers", str(event), "--name", "Taler 1=Kari Nordmann")
    assert result.exit_code == 0, result.output
    index = (event / "index.html").read_text(encoding="utf-8")
    assert "Kari Nordmann (" in index and "Taler 1" not in index
    agree(files)


def test_a_restore_gives_back_the_names_the_revision_had_in_every_language(home, tmp_path):
    """Issue 25: after a naming, restoring the machine's version made the cues say "Taler 1" while speakers.json, the
    text and the other languages said "Kari Nordmann". Each revision keeps the names its cues were written with; a
    restore shows them first (restore_preview, nothing written) and gives them back."""
    from accessmedia import api

    files = two_voices(tmp_path / "out")
    assert run_cli("speakers", str(files.folder), "--name", "Taler 1=Kari Nordmann", "--by", "Siri").exit_code == 0
    history = revisions.history(files.folder, files.name, "nb")
    assert [(r.label, r.names) for r in history] == [
        ("r0000", {"S1": "Taler 1", "S2": "Taler 2", "S3": "Taler 3"}),  # the machine's version, kept before the naming
        ("r0001", {"S1": "Kari Nordmann", "S2": "Taler 2", "S3": "Taler 3"})]
    before = {p.name: p.read_bytes() for p in files.folder.iterdir() if p.is_file()}
    preview = api.restore_preview(files.folder, files.name, "nb", 0)
    assert preview["names"] == {"Kari Nordmann": "Taler 1"}
    assert preview["changes"] and all(now.split(" ", 1)[0] == then.split(" ", 1)[0] for now, then in preview["changes"])
    assert any("Kari Nordmann" in now and "Taler 1" in then for now, then in preview["changes"])
    assert {p.name: p.read_bytes() for p in files.folder.iterdir() if p.is_file()} == before  # a preview writes nothing

    result = run_cli("restore", str(files.folder), "--name", files.name, "--lang", "nb", "--revision", "0")
    assert result.exit_code == 0, result.output
    assert "speakers named as they were then: Kari Nordmann -> Taler 1" in result.output
    agree(files)  # speakers.json, the text, the RTTM and every language say the same names
    assert _names(files) == {"Taler 1", "Taler 2", "Taler 3"}
    assert _voices(files, "nb") == _voices(files, "en") == {"Taler 1", "Taler 2", "Taler 3"}
    assert not any(s.get("name") for s in speakers.read(files.speakers)["speakers"])  # unnamed again, not named "Taler 1"
    assert api.restore_preview(files.folder, files.name, "nb", 0) == {"changes": [], "names": {}}  # nothing left to change
    # and forward again: restoring the named revision names her again
    assert run_cli("restore", str(files.folder), "--name", files.name, "--lang", "nb", "--revision", "1").exit_code == 0
    agree(files)
    assert _voices(files, "en") == {"Kari Nordmann", "Taler 2", "Taler 3"}


def test_the_event_site_follows_a_language_a_kit_brings(home, tmp_path):
    """Issue 25, pages in step: a kit import (like an apply or a restore) makes the event's site again, and a
    language the recording has now is listed and promised there (it said "subtitles" only, though Somali had come)."""
    from accessmedia import api
    from accessmedia.packaging import eventsite

    event = tmp_path / "ut"
    files = two_voices(event / "tale")
    site = {"title": "Konferanse", "sessions": [{"name": "tale", "title": "Åpning", "duration": 17.0, "speakers": [],
                                                  "languages": ["nb"], "agenda": []}]}
    (event / ".accessmedia").mkdir()
    (event / eventsite.SITE_RECORD).write_text(json.dumps(site), encoding="utf-8")
    for made in files.folder.glob("tale.en.*"):  # Norwegian alone, as before any translation came
        made.unlink()
    eventsite.refresh(event)
    assert "og oversettelser" not in (event / "index.html").read_text(encoding="utf-8")
    somali = tmp_path / "tale.so.srt"
    cues = subtitles.read(files.subtitles("nb")).cues
    somali.write_text(subtitles.compose_srt([type(c)(c.start, c.end, ("Soomaali",)) for c in cues]), encoding="utf-8")
    api.kit_import(somali, event / "tale", "tale", "so", "Hodan")
    assert "Opptak med undertekster og oversettelser" in (event / "index.html").read_text(encoding="utf-8")
    assert json.loads((event / eventsite.SITE_RECORD).read_text(encoding="utf-8"))["sessions"][0]["languages"] == ["nb"]
