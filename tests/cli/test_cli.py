"""The command line: help with examples, a README reference that matches it, language codes."""

from __future__ import annotations

import pytest

from accessmedia.cli import docs as clidocs
from accessmedia.core import languages
from accessmedia.cli import main
from accessmedia.core.errors import AccessMediaError
from accessmedia.core.glossary import load_glossary

from ..conftest import run_cli


@pytest.mark.parametrize("path", [p for p, _ in clidocs._commands(main, [])])
def test_every_command_has_an_example(path):
    result = run_cli(*path, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output


def test_readme_command_reference_is_current():
    text = clidocs.README.read_text(encoding="utf-8")
    assert clidocs.render(text) == text, "run: python -m accessmedia.cli.docs"


def test_readme_begins_with_the_two_commands():
    lines = clidocs.README.read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```bash") + 1 : lines.index("```bash") + 3]
    assert "accessmedia transcribe samples/konferanse.mp4" in block[0]
    assert block[1] == "bash .ci/run"


def test_language_codes_are_bcp47():
    assert languages.normalize("no") == "nb"
    assert languages.normalize("nb-NO") == "nb"
    assert languages.to_whisper("nb") == "no"
    assert languages.to_whisper("nn") == "nn"
    assert languages.native_name("ar") == "العربية"
    with pytest.raises(AccessMediaError, match="unknown language code 'klingon'"):
        languages.normalize("klingon")


def test_glossary_file(tmp_path):
    path = tmp_path / "names.txt"
    path.write_text("# navn\nIMDi\nNOVA  # forskningsinstitutt\n\nKari Bremnes\nIMDi\n", encoding="utf-8")
    assert load_glossary(path) == ("IMDi", "NOVA", "Kari Bremnes")
    path.write_bytes("Ålesund".encode("cp1252"))
    with pytest.raises(AccessMediaError, match="not UTF-8"):
        load_glossary(path)


def test_models_list_shows_catalogue():
    result = run_cli("models", "list")
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.output.splitlines() if line and not line.startswith(" ")]
    assert names[0] == "whisper-base" and "nb-whisper-large" in names
