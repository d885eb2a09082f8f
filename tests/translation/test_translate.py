"""Translation with real (tiny, made here) Argos packages: install, routes, pivots, batching,
cue distribution, right-to-left marks, glossary, missing languages, cache, bad packages."""

from __future__ import annotations

import csv
import json
import sqlite3
import zipfile
from pathlib import Path

import pysrt
import pytest
import srt as srt_lib
import webvtt
from hypothesis import given, settings, strategies as st

from accessmedia.models import argos
from accessmedia.subtitles import style
from accessmedia.subtitles import formats as subtitles
from accessmedia.api import HARD_RULES
from accessmedia.subtitles.cue import Cue
from accessmedia.translation.translate import RLM, distribute, protect, restore, sentences_of

from ..argos_toy import expected
from ..conftest import PAIRS, run_cli


SPEECH = (
    "1\n00:00:01,000 --> 00:00:03,500\nVelkommen til konferansen,\nsa lederen av IMDi\n\n"
    "2\n00:00:03,600 --> 00:00:06,000\nog takket alle som kom.\n\n"
    "3\n00:00:09,000 --> 00:00:11,000\nNOVA la fram en ny rapport.\n\n"
    "4\n00:00:11,100 --> 00:00:13,500\nHvor mange kom i 2024?\n"
)


@pytest.fixture()
def speech_srt(tmp_path) -> Path:
    path = tmp_path / "tale.nb.srt"
    path.write_text(SPEECH, encoding="utf-8")
    return path


def texts(path: Path) -> list[str]:
    return [" ".join(c.lines) for c in subtitles.read(path).cues]


def test_packages_install_from_file_and_show_routes(home):
    result = run_cli("models", "list", "--to", "en,ar,pl,so,ti")
    assert result.exit_code == 0
    assert "route en   nb->en direct" in result.output
    assert "route ar   nb->en->ar pivot" in result.output
    assert "route so   nb->so missing" in result.output
    assert "route ti   nb->ti missing" in result.output
    installed = argos.installed()
    assert set(installed) == set(PAIRS)
    meta = json.loads((home / "translate" / "nb-en" / "accessmedia-model.json").read_text())
    assert len(meta["sha256"]) == 64 and meta["source"].startswith("file:")


def _zip(path: Path, entries: dict[str, bytes], symlink: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (0o120777 << 16)
            z.writestr(info, "/etc/passwd")
    return path


def _good_entries(packages) -> dict[str, bytes]:
    with zipfile.ZipFile(packages[("nb", "en")]) as z:
        return {n: z.read(n) for n in z.namelist() if not n.endswith("/")}


@pytest.mark.parametrize(
    "case, needle",
    [
        ("not-a-zip", "not a zip archive"),
        ("traversal", "would be written outside the package folder"),
        ("absolute", "would be written outside the package folder"),
        ("missing-model", "missing model/model.bin"),
        ("symlink", "is a symbolic link"),
        ("bad-metadata", "metadata.json is not valid JSON"),
        ("two-folders", "exactly one folder"),
        ("broken-model", "model does not load"),
    ],
)
def test_bad_packages_are_refused_and_nothing_is_installed(tmp_path, monkeypatch, packages, case, needle):
    monkeypatch.setenv("ACCESSMEDIA_MODELS", str(tmp_path / "models"))
    good = _good_entries(packages)
    top = next(iter(good)).split("/")[0]
    bad = tmp_path / f"{case}.argosmodel"
    if case == "not-a-zip":
        bad.write_text("this is not a package")
    elif case == "traversal":
        _zip(bad, {**good, f"{top}/../../evil.txt": b"x"})
    elif case == "absolute":
        _zip(bad, {**good, "/tmp/evil.txt": b"x"})
    elif case == "missing-model":
        _zip(bad, {k: v for k, v in good.items() if not k.endswith("model.bin")})
    elif case == "symlink":
        _zip(bad, good, symlink=f"{top}/link")
    elif case == "bad-metadata":
        _zip(bad, {**good, f"{top}/metadata.json": b"{not json"})
    elif case == "two-folders":
        _zip(bad, {**good, "other/readme.txt": b"x"})
    elif case == "broken-model":
        _zip(bad, {**good, f"{top}/model/model.bin": b"\0" * 64})
    result = run_cli("models", "add", str(bad))
    assert result.exit_code == 1
    assert needle in result.output and "nothing was installed" in result.output
    translate_dir = tmp_path / "models" / "translate"
    assert not translate_dir.exists() or list(translate_dir.iterdir()) == []
    assert not (tmp_path / "evil.txt").exists() and not Path("/tmp/evil.txt").exists()


def test_translates_into_every_language_with_a_route_and_templates_the_rest(home, speech_srt, tmp_path):
    out = tmp_path / "out"
    result = run_cli("translate", str(speech_srt), "--to", "en,ar,pl,uk,fa,ur,so,ti", "-o", str(out))
    assert result.exit_code == 0, result.output
    source = subtitles.read(speech_srt).cues
    for lang in ("en", "ar", "pl", "uk", "fa", "ur"):
        cues = subtitles.read(out / f"tale.{lang}.srt").cues
        assert [(c.start, c.end) for c in cues] == [(c.start, c.end) for c in source], lang
        vtt = subtitles.read(out / f"tale.{lang}.vtt").cues
        assert vtt == cues
    # nb->en upper-cases; en->ar goes through English; names in the glossary would be kept (see below)
    assert texts(out / "tale.en.srt") == [expected(" ".join(c.lines), ("nb", "en")) for c in source]
    ar = [t.replace(RLM, "") for t in texts(out / "tale.ar.srt")]
    assert ar == [expected(" ".join(c.lines), ("nb", "en"), ("en", "ar")) for c in source]
    for lang in ("so", "ti"):
        assert f"{lang}: missing" in result.output
        rows = list(csv.reader((out / f"tale.{lang}.template.csv").read_text(encoding="utf-8-sig").splitlines()))
        assert rows[0] == ["cue", "start", "end", "nb", "en", lang]
        assert len(rows) == 1 + len(source)
        assert rows[1][3] == "Velkommen til konferansen, sa lederen av IMDi"
        assert rows[1][4] == "VELKOMMEN TIL KONFERANSEN, SA LEDEREN AV IMDI"
        assert rows[1][5] == ""
    summary = json.loads((out / "tale.translations.json").read_text(encoding="utf-8"))
    assert summary["produced"]["ar"]["route"] == "nb->en->ar pivot"
    assert set(summary["missing"]) == {"so", "ti"}


@pytest.mark.slow
def test_outputs_parse_and_follow_each_languages_rules(home, transcribed, tmp_path):
    out = tmp_path / "out"
    result = run_cli("translate", str(transcribed / "king.transcript.json"), "--to", "en,ar,uk", "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    nb = subtitles.read(transcribed / "king.nb.srt").cues
    for lang in ("en", "ar", "uk"):
        path = out / f"king.{lang}.srt"
        ours = subtitles.read(path).cues
        assert len(ours) == len(nb)
        assert len(pysrt.open(str(path), error_handling=pysrt.ERROR_RAISE)) == len(ours)
        assert len(list(srt_lib.parse(path.read_text(encoding="utf-8")))) == len(ours)
        assert len(webvtt.read(str(out / f"king.{lang}.vtt")).captions) == len(ours)
        report = style.check(ours, style.load_profile(lang))
        for rule in HARD_RULES:
            assert report.share_ok(rule) == 1.0, (lang, rule, report.breaches)


def test_right_to_left_lines_carry_marks(home, speech_srt, tmp_path):
    out = tmp_path / "out"
    assert run_cli("translate", str(speech_srt), "--to", "ar,fa,ur,en", "-o", str(out), "-q").exit_code == 0
    for lang in ("ar", "fa", "ur"):
        for cue in subtitles.read(out / f"tale.{lang}.vtt").cues:
            for line in cue.lines:
                assert line.startswith(RLM) and line.endswith(RLM), (lang, line)
    assert all(RLM not in line for c in subtitles.read(out / "tale.en.vtt").cues for line in c.lines)
    # the question mark became Arabic's, at the end of the line (its left when shown)
    assert subtitles.read(out / "tale.ar.srt").cues[-1].lines[-1].endswith("؟" + RLM)


def test_glossary_terms_come_through_intact(home, speech_srt, tmp_path):
    glossary = tmp_path / "names.txt"
    glossary.write_text("IMDi\nNOVA\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("translate", str(speech_srt), "--to", "en,ar", "--glossary", str(glossary), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    en = " ".join(texts(out / "tale.en.srt"))
    assert "IMDi" in en and "IMDI" not in en  # untouched, where the model would have upper-cased it
    ar = " ".join(texts(out / "tale.ar.srt"))
    assert "IMDi" in ar and "NOVA" in ar


def test_sentences_not_cues_are_translated_and_cached(home, speech_srt, tmp_path):
    out = tmp_path / "out"
    assert run_cli("translate", str(speech_srt), "--to", "en", "-o", str(out), "-q").exit_code == 0
    db = sqlite3.connect(out / ".cache" / "translations.sqlite3")
    sources = sorted(row[0] for row in db.execute("SELECT source FROM translation"))
    db.close()
    assert sources == sorted([
        "Velkommen til konferansen, sa lederen av IMDi og takket alle som kom.",
        "NOVA la fram en ny rapport.",
        "Hvor mange kom i 2024?",
    ])
    # a rerun translates nothing; a changed sentence is the only one translated again
    again = run_cli("translate", str(speech_srt), "--to", "en", "-o", str(out))
    assert "3 sentences: 0 translated, 3 from the cache" in again.output
    speech_srt.write_text(SPEECH.replace("ny rapport", "ny og viktig rapport"), encoding="utf-8")
    changed = run_cli("translate", str(speech_srt), "--to", "en", "-o", str(out))
    assert "3 sentences: 1 translated, 2 from the cache" in changed.output


def test_a_worker_loads_a_translation_model_once_and_not_at_all_when_all_is_cached(home, speech_srt, tmp_path):
    from accessmedia import api
    from accessmedia.pipeline.runtime import LoadedModels
    from accessmedia.pipeline.settings import build

    settings = build(targets=["en", "ar"])
    loaded = LoadedModels()
    api.translate(speech_srt, tmp_path / "a", settings, loaded=loaded)
    api.translate(speech_srt, tmp_path / "b", settings, loaded=loaded)  # another recording, same worker
    assert loaded.loads()["translate"] == 2  # nb->en and en->ar, each loaded once
    fresh = LoadedModels()
    result = api.translate(speech_srt, tmp_path / "a", settings, loaded=fresh)
    assert result.translated == 0 and fresh.loads()["translate"] == 0  # all from the cache: nothing loaded


def test_sentences_go_to_the_model_in_batches(home, speech_srt, tmp_path, monkeypatch):
    from accessmedia.translation import translate as translate_module

    calls = []
    original = translate_module.LoadedTranslator.translate

    def spy(self, sentences, *args, **kwargs):
        calls.append((self.name, len(sentences)))
        return original(self, sentences, *args, **kwargs)

    monkeypatch.setattr(translate_module.LoadedTranslator, "translate", spy)
    assert run_cli("translate", str(speech_srt), "--to", "ar", "-o", str(tmp_path / "out"), "-q").exit_code == 0
    assert calls == [("nb-en", 3), ("en-ar", 3)]


def test_volunteer_corrections_are_not_overwritten(home, speech_srt, tmp_path):
    out = tmp_path / "out"
    assert run_cli("translate", str(speech_srt), "--to", "en", "-o", str(out), "-q").exit_code == 0
    assert run_cli("translate", str(speech_srt), "--to", "en", "-o", str(out), "-q").exit_code == 0
    corrected = out / "tale.en.srt"
    corrected.write_text(corrected.read_text(encoding="utf-8").replace("VELKOMMEN", "Welcome"), encoding="utf-8")
    result = run_cli("translate", str(speech_srt), "--to", "en", "-o", str(out), "-q")
    assert result.exit_code == 1 and "was changed after accessmedia wrote it" in result.output
    assert "Welcome" in corrected.read_text(encoding="utf-8")


def test_bad_translate_input(home, tmp_path, speech_srt):
    out = tmp_path / "out"
    result = run_cli("translate", str(speech_srt), "--to", "en,xx", "-o", str(out))
    assert result.exit_code == 1 and "unknown language code 'xx'" in result.output
    other = tmp_path / "notes.txt"
    other.write_text("hei")
    result = run_cli("translate", str(other), "--to", "en", "-o", str(out))
    assert result.exit_code == 1 and "neither a transcript nor a subtitle file" in result.output
    result = run_cli("translate", str(tmp_path / "gone.transcript.json"), "--to", "en", "-o", str(out))
    assert result.exit_code == 1 and "no such file" in result.output
    assert not out.exists() or not any(out.iterdir())


def test_offline_index_install_fails_clearly(tmp_path):
    """The real command, its index at an address nobody answers: one line, no retry loop, nothing installed."""
    import socket

    from ..conftest import accessmedia

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    env = {"ACCESSMEDIA_MODELS": str(tmp_path / "models"), "ARGOS_PACKAGE_INDEX": f"http://127.0.0.1:{closed}/",
           "XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path)}
    done = accessmedia("models", "install", "translate", "nb", "en", "ar", env=env, timeout=120)
    assert done.returncode == 1 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: could not reach the Argos package index"), done.stderr[-2000:]
    assert "accessmedia models add FILE" in lines[0]
    assert not (tmp_path / "models" / "translate").exists()


# -- pure parts ----------------------------------------------------------------

def test_sentences_span_cues():
    cues = [Cue(0, 2, ("Dette er en lang setning",)), Cue(2.1, 4, ("som fortsetter her. Ny setning",)), Cue(4.1, 5, ("slutter.",))]
    sentences, pieces = sentences_of(cues)
    assert sentences == ["Dette er en lang setning som fortsetter her.", "Ny setning slutter."]
    assert [(p.cue, p.sentence, p.text) for p in pieces] == [
        (0, 0, "Dette er en lang setning"), (1, 0, "som fortsetter her."), (1, 1, "Ny setning"), (2, 1, "slutter."),
    ]


def test_a_long_pause_ends_a_sentence_without_punctuation():
    sentences, _ = sentences_of([Cue(0, 2, ("takk til alle",)), Cue(6, 8, ("neste taler",))])
    assert sentences == ["takk til alle", "neste taler"]


def test_distribute_prefers_clause_boundaries():
    parts = distribute("Welcome to the conference, said the head of IMDi and thanked everyone", [26, 20, 24])
    assert parts[0] == "Welcome to the conference,"
    assert " ".join(parts).split() == "Welcome to the conference, said the head of IMDi and thanked everyone".split()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abcdefg,.", min_size=1, max_size=8), min_size=0, max_size=30), st.lists(st.integers(1, 60), min_size=1, max_size=6))
def test_distribute_keeps_every_word_in_order(words, weights):
    parts = distribute(" ".join(words), weights)
    assert len(parts) == len(weights)
    assert " ".join(p for p in parts if p).split() == " ".join(words).split()
    if len(" ".join(words).split()) >= len(weights):
        assert all(parts), parts


def test_protect_and_restore():
    masked, mapping = protect("IMDi og NOVA møtes, ikke IMDiX", ["IMDi", "NOVA"])
    assert "IMDi " not in masked and "NOVA" not in masked and "IMDiX" in masked
    back, lost = restore(masked.upper().replace("9", "٩"), mapping)  # Arabic-Indic digits from the model
    assert back.startswith("IMDi OG NOVA") and lost == []
    dropped, lost = restore("nothing left", mapping)
    assert lost == ["IMDi", "NOVA"] and dropped == "nothing left (IMDi, NOVA)"
