"""Event manifests: checked before any work, then every session processed and indexed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from accessmedia import event
from accessmedia.errors import AccessMediaError

from .conftest import ROOT, SAMPLE, run_cli


@pytest.fixture()
def manifest_dir(tmp_path) -> Path:
    shutil.copy(ROOT / "samples" / "event.toml", tmp_path / "event.toml")
    shutil.copy(ROOT / "samples" / "navn.txt", tmp_path / "navn.txt")
    shutil.copy(SAMPLE, tmp_path / "konferanse.mp4")
    text = (tmp_path / "event.toml").read_text(encoding="utf-8").replace('output = "../out/event"', 'output = "ut"')
    (tmp_path / "event.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_sample_manifest_loads(manifest_dir):
    ev = event.load(manifest_dir / "event.toml")
    assert ev.languages == ("en", "ar", "pl", "uk", "so", "ti")
    assert [a.title for a in ev.sessions[0].agenda] == ["Velkommen", "Teksting og oversettelse", "Takk"]
    assert "IMDi" in ev.glossary and "Kari Nordmann" in ev.glossary and "Ola Hansen" in ev.glossary


@pytest.mark.parametrize(
    "change, message",
    [
        (('file = "konferanse.mp4"', 'file = "borte.mp4"'), ":12: recording.file: "),
        (('"so", "ti"]', '"so", "xx"]'), ":6: event.languages: unknown language code 'xx'"),
        (('start = "0:11"', 'start = "0:30"'), ":26: agenda.start: 0:24 overlaps or comes before"),
        (('start = "0:11"', 'start = "elleve"'), ":21: agenda.start: 'elleve' is not a time"),
        (('start = "0:24"', 'start = "9:00"'), ":26: agenda.start: 9:00 is after the recording ends"),
    ],
)
def test_bad_manifests_name_the_line_and_field(manifest_dir, change, message):
    path = manifest_dir / "event.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    with pytest.raises(AccessMediaError) as info:
        event.load(path)
    assert message in str(info.value)
    result = run_cli("process", str(path))
    assert result.exit_code == 1 and message in result.output
    assert not (manifest_dir / "ut").exists()  # nothing started


def test_event_runs_every_session_and_writes_an_index(home, manifest_dir):
    result = run_cli("process", str(manifest_dir / "event.toml"), "-q")
    assert result.exit_code == 0, result.output
    out = manifest_dir / "ut"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="konferanse/dist/site/index.html"' in index and "Åpning og velkommen" in index and "Kari Nordmann" in index
    assert "العربية" in index
    assert (out / "konferanse" / "dist" / "upload" / "chapters.txt").read_text(encoding="utf-8").startswith("00:00 Velkommen\n")
    assert (out / "konferanse" / "konferanse.so.template.csv").exists()
    again = run_cli("process", str(manifest_dir / "event.toml"), "-q")
    assert "konferanse: ran nothing" in again.output
