"""The records every stage shares, tested directly: the settings record and the CLI option groups that
fill it, the recording folder record, the stage table, and the stage functions on synthetic input."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import FrozenInstanceError, asdict
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from accessmedia import api
from accessmedia.runs import process
from accessmedia.pipeline import stages
from accessmedia.subtitles import formats as subtitles
from accessmedia.cli.options import glossary_option, recognition_options, styles_option
from accessmedia.core.errors import AccessMediaError
from accessmedia.core.files import RecordingFiles
from accessmedia.pipeline.settings import Chapter, Decoding, ModelLoad, Packaging, Recognition, Settings, Styles, Translation, build
from accessmedia.core.transcript import Segment, Transcript, Word

# one sentence of 14 words, 0.4 s each: the built-in profile makes few cues of it, a narrow one many
SENTENCE = "Velkommen til den nasjonale integreringskonferansen i Oslo der alle deltakerne får teksting på sitt språk."


def transcript(text: str = SENTENCE) -> Transcript:
    words = tuple(Word(w, round(0.5 + 0.4 * n, 3), round(0.5 + 0.4 * n + 0.35, 3), 0.9) for n, w in enumerate(text.split()))
    return Transcript("nb", 10.0, (Segment(words[0].start, words[-1].end, text, words),), source={"file": "tale.mp4"})


@pytest.fixture()
def narrow(tmp_path) -> Path:
    path = tmp_path / "smal.toml"
    path.write_text("name = \"smal\"\nmax_chars_per_line = 16\nmax_lines = 1\n", encoding="utf-8")
    return path


# -- settings ---------------------------------------------------------------------------------

def test_build_normalises_and_gives_the_glossary_to_both_stages(narrow):
    s = build("no", targets=["EN", "ar", "en"], terms=["IMDi", "NOVA", "IMDi"], style=narrow,
              packaging=Packaging(burn=("AR",), languages=("NB", "ar")))
    assert s.language == "nb" and s.translation.targets == ("en", "ar")
    assert s.recognition.decode.hotwords == ("IMDi", "NOVA") == s.translation.protected
    assert s.packaging.burn == ("ar",) and s.packaging.languages == ("nb", "ar")
    assert s.profile().max_chars_per_line == 16 and s.profile("ar").max_chars_per_line == 16  # parsed once, every language
    # an event's session gives other hotwords (speakers, programme titles) than the terms translation keeps
    assert build(terms=["IMDi"], hotwords=["IMDi", "Amina Yusuf"]).recognition.decode.hotwords == ("IMDi", "Amina Yusuf")


def test_settings_are_frozen_and_recorded_as_plain_data(narrow):
    s = build(targets=["en"], style=narrow, packaging=Packaging("Tittel", chapters=(Chapter(0.0, "Åpning"),)))
    with pytest.raises(FrozenInstanceError):
        s.language = "en"  # type: ignore[misc]
    record = {k: v for stage in process.STAGES for k, v in json.loads(json.dumps(stage.uses(s))).items()}  # as process.json keeps it
    assert record["styles"] == {"file": str(narrow.resolve())}
    assert record["recognition"]["load"]["compute_type"] == "default" and record["packaging"]["chapters"][0]["title"] == "Åpning"
    assert ModelLoad(device="cuda").resolved_compute_type() == "float16" and ModelLoad().resolved_compute_type() == "int8"


def test_a_worker_share_of_threads_keeps_threads_that_were_asked_for():
    s = Settings(recognition=Recognition(ModelLoad(threads=3)))
    shared = s.with_threads(1)
    assert shared.recognition.load.threads == 3 and shared.translation.threads == 1


def test_a_broken_style_profile_fails_when_it_is_read(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("max_lines = \"two\"\n", encoding="utf-8")
    with pytest.raises(AccessMediaError, match="max_lines"):
        Styles.read(bad)
    with pytest.raises(AccessMediaError, match="does not exist"):
        Styles.read(tmp_path / "missing.toml")


def test_the_recognition_option_group_fills_the_settings_record(tmp_path):
    """Every command that transcribes gets the same options from one group: a new option is a field
    in the record and an option in the group."""
    seen = {}

    @click.command()
    @recognition_options
    @glossary_option
    @styles_option
    def command(language, recognition, terms, styles):
        seen.update(settings=build(language, recognition, terms=terms, style=styles))

    glossary = tmp_path / "navn.txt"
    glossary.write_text("IMDi\nAmina Yusuf\n", encoding="utf-8")
    args = ["--language", "nn", "--model", "m", "--beam-size", "2", "--device", "cuda", "--compute-type", "float32",
            "--threads", "3", "--audio-track", "2", "--no-vad", "--glossary", str(glossary)]
    result = CliRunner().invoke(command, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    s = seen["settings"]
    assert s.language == "nn"
    assert s.recognition.load == ModelLoad("m", "cuda", "float32", 3)
    assert s.recognition.decode == Decoding(beam_size=2, hotwords=("IMDi", "Amina Yusuf"), vad=False, audio_track=2)
    assert s.translation.protected == ("IMDi", "Amina Yusuf")


# -- the recording folder ----------------------------------------------------------------------

def test_recording_files_name_every_file(tmp_path):
    f = RecordingFiles(tmp_path, "tale")
    assert f.transcript.name == "tale.transcript.json" and f.subtitles("ar", "vtt").name == "tale.ar.vtt"
    assert [p.name for p in f.cue_files("nb")] == ["tale.nb.srt", "tale.nb.vtt", "tale.txt"]
    assert [p.name for p in f.translation_files(["en"])] == ["tale.en.srt", "tale.en.vtt"]
    assert f.template("so").name == "tale.so.template.csv" and f.translations.name == "tale.translations.json"
    assert f.revisions("nb") == tmp_path / "revisions" / "tale" / "nb" and f.kit("so", "csv") == tmp_path / "kits" / "tale.so.csv"
    assert f.master_playlist == tmp_path / "dist" / "hls" / "master.m3u8"
    (tmp_path / "tale.nb.vtt").write_text("WEBVTT\n", encoding="utf-8")
    (tmp_path / "tale.ar.vtt").write_text("WEBVTT\n", encoding="utf-8")
    (tmp_path / "tale-2.nb.vtt").write_text("WEBVTT\n", encoding="utf-8")
    assert f.subtitle_languages() == ["ar", "nb"]
    assert RecordingFiles.of_subtitles(tmp_path / "a.b.ar.srt") == (RecordingFiles(tmp_path, "a.b"), "ar")
    assert RecordingFiles.of_subtitles(tmp_path / "rettet.srt") == (RecordingFiles(tmp_path, "rettet"), None)
    assert RecordingFiles.of_subtitles(tmp_path / "rettet.srt", "NO")[1] == "nb"
    assert RecordingFiles.of_transcript(tmp_path / "x.transcript.json").name == "x"
    with pytest.raises(AccessMediaError, match="not a transcript"):
        RecordingFiles.of_transcript(tmp_path / "x.json")


def test_paths_are_stored_relative_to_the_folder(tmp_path):
    f = RecordingFiles(tmp_path / "out" / "tale", "tale")
    assert f.relative(tmp_path / "opptak" / "tale.mp4") == "../../opptak/tale.mp4"
    assert f.relative(f.dist) == "dist"
    assert f.resolve("dist") == (tmp_path / "out" / "tale" / "dist").resolve()


# -- the stage table ------------------------------------------------------------------------------

def test_the_stage_table_lists_every_stage_once_in_order_with_the_settings_it_uses(narrow):
    assert process.STAGE_NAMES == ("transcribe", "speakers", "cues", "translate", "package")
    settings = build(targets=["en"], terms=["IMDi"], style=narrow, packaging=Packaging("Tittel"))
    used = {s.name: json.loads(json.dumps(s.uses(settings))) for s in process.STAGES}  # plain data for process.json
    assert used["transcribe"]["recognition"]["decode"]["hotwords"] == ["IMDi"] and used["transcribe"]["language"] == "nb"
    assert used["cues"] == {"styles": {"file": str(narrow.resolve())}, "formats": ["srt", "vtt"]}
    assert used["speakers"] == {"speakers": {"count": "auto", "low": 1, "high": 10, "model": None, "threads": 0, "references": [],
                                             "names": []}}
    assert used["translate"]["translation"]["targets"] == ["en"] and used["package"]["packaging"]["title"] == "Tittel"


def test_a_new_recording_has_every_stage_pending(tmp_path):
    recording = tmp_path / "tale.mp4"
    recording.write_bytes(b"not read: the folder does not exist yet")
    assert process.pending(process.Job.of(recording, tmp_path / "out")) == list(process.STAGE_NAMES)


def test_the_cue_stage_key_follows_the_transcript_and_the_style_text(tmp_path, narrow):
    recording = tmp_path / "tale.mp4"
    recording.write_bytes(b"x")
    job = process.Job.of(recording, tmp_path / "out")
    job.folder.mkdir(parents=True)
    job.files.transcript.write_text(transcript().to_json(), encoding="utf-8")
    cue_stage = next(s for s in process.STAGES if s.name == "cues")

    def key(settings: Settings) -> str:
        return cue_stage.key(process.Context(process.Job(job.recording, job.out_dir, settings), None, None))

    plain, styled = key(Settings()), key(build(style=narrow))
    assert plain == key(build(targets=["en"], terms=["IMDi"]))  # settings of other stages do not matter
    assert plain != styled
    job.files.transcript.write_text(transcript(SENTENCE.replace("Oslo", "Bergen")).to_json(), encoding="utf-8")
    assert key(Settings()) != plain


# -- stage functions -------------------------------------------------------------------------------

def test_make_cues_writes_the_files_and_returns_its_record(tmp_path, narrow):
    files = RecordingFiles(tmp_path, "tale")
    record = stages.make_cues(files, transcript(), Styles.read(narrow).profile("nb"))
    assert record.outputs == {"srt": files.subtitles("nb"), "vtt": files.subtitles("nb", "vtt"), "text": files.text}
    cues = subtitles.read(files.subtitles("nb")).cues
    assert len(cues) == record.cues > 3 and all(len(c.lines) == 1 and len(c.lines[0]) <= 16 for c in cues)
    assert record.conformance.cues == record.cues and record.warnings == ()
    silent = stages.make_cues(RecordingFiles(tmp_path, "stille"), Transcript("nb", 60.0, ()), Settings().profile())
    assert silent.cues == 0 and "no speech found" in silent.warnings[0]
    assert subtitles.read(tmp_path / "stille.nb.vtt").cues == ()


def test_translate_from_a_transcript_uses_the_style_for_source_cues_and_template_columns(home, tmp_path, narrow):
    """`translate X.transcript.json --style F`: F makes the source cues, and so every column of a template."""
    out = tmp_path / "out"
    (tmp_path / "tale.transcript.json").write_text(transcript().to_json(), encoding="utf-8")
    settings = build(targets=["en", "so"], style=narrow)
    result = api.translate(tmp_path / "tale.transcript.json", out, settings)
    assert set(result.produced) == {"en"} and set(result.missing) == {"so"}
    rows = list(csv.reader(io.StringIO((out / "tale.so.template.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["cue", "start", "end", "nb", "en", "so"]
    assert len(rows) - 1 > 3 and all(len(r[3]) <= 16 for r in rows[1:])  # the narrow profile's cues
    english = subtitles.read(out / "tale.en.srt").cues
    assert all(len(line) <= 16 for c in english for line in c.lines) and all(r[4] for r in rows[1:])
    # the built-in profile: fewer, longer cues
    plain = api.translate(tmp_path / "tale.transcript.json", tmp_path / "plain", build(targets=["so"]))
    assert plain.missing and len(list(csv.reader(io.StringIO((tmp_path / "plain" / "tale.so.template.csv").read_text(encoding="utf-8-sig"))))) < len(rows)


def test_translate_stage_keeps_earlier_languages_in_its_record(home, tmp_path):
    from accessmedia.pipeline.runtime import LoadedModels

    files = RecordingFiles(tmp_path, "tale")
    cues = stages.make_cues(files, transcript(), Settings().profile()) and subtitles.read(files.subtitles("nb")).cues
    loaded = LoadedModels()
    first = stages.translate(files, cues, "nb", Translation(targets=("en",)), Styles(), loaded, "tale.nb.srt")
    second = stages.translate(files, cues, "nb", Translation(targets=("ar", "so")), Styles(), loaded, "tale.nb.srt")
    assert first.produced["en"]["route"] == "nb->en direct" and set(second.produced) == {"ar"}
    record = json.loads(files.translations.read_text(encoding="utf-8"))
    assert set(record["produced"]) == {"en", "ar"} and set(record["missing"]) == {"so"}
    assert second.cached > 0  # the English step of the pivot came from the first call's cache
    assert loaded.loads()["translate"] == 2  # nb->en loaded once for both calls, en->ar once


def test_the_package_record_is_read_back_relative_to_the_folder(tmp_path):
    files = RecordingFiles(tmp_path / "prosjekt", "tale")
    files.folder.mkdir()
    (tmp_path / "tale.mp4").write_bytes(b"x")
    packaging = Packaging("Tittel", (360,), ("ar",), (Chapter(0.0, "Åpning"),), ("nb", "ar"))
    record = {"recording": files.relative(tmp_path / "tale.mp4"), "recording_absolute": str(tmp_path / "tale.mp4"),
              "dist": "dist", "packaging": asdict(packaging)}
    files.package_record.write_text(json.dumps(record), encoding="utf-8")
    assert stages.packaged_before(files) == ((tmp_path / "tale.mp4").resolve(), files.dist.resolve(), packaging)
    assert stages.packaged_before(RecordingFiles(tmp_path, "never")) is None


# -- records kept by earlier versions ------------------------------------------------------------

def test_a_package_record_of_the_earlier_format_is_still_read(tmp_path):
    files = RecordingFiles(tmp_path / "out", "tale")
    files.folder.mkdir()
    chapters = tmp_path / "kapitler.txt"
    chapters.write_text("0:00 Åpning\n1:30 Panel\n", encoding="utf-8")
    old = {"recording": str(tmp_path / "tale.mp4"), "dist": str(tmp_path / "dist"), "langs": ["nb", "en"], "title": "T",
           "burn": ["en"], "ladder": [360], "chapters": str(chapters)}
    files.package_record.write_text(json.dumps(old), encoding="utf-8")
    recording, dist, packaging = stages.packaged_before(files)
    assert recording == tmp_path / "tale.mp4" and dist == tmp_path / "dist"
    assert packaging == Packaging("T", (360,), ("en",), (Chapter(0.0, "Åpning"), Chapter(90.0, "Panel")), ("nb", "en"))


# -- smaller promises ---------------------------------------------------------------------------------

def test_an_english_template_has_no_second_english_column(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCESSMEDIA_MODELS", str(tmp_path / "no-models"))
    (tmp_path / "tale.transcript.json").write_text(transcript().to_json(), encoding="utf-8")
    result = api.translate(tmp_path / "tale.transcript.json", tmp_path / "out", build(targets=["en", "so"]))
    assert set(result.missing) == {"en", "so"}
    assert (tmp_path / "out" / "tale.en.template.csv").read_text(encoding="utf-8-sig").splitlines()[0] == "cue,start,end,nb,en"
    assert (tmp_path / "out" / "tale.so.template.csv").read_text(encoding="utf-8-sig").splitlines()[0] == "cue,start,end,nb,en,so"


def test_a_worker_always_sends_the_end_of_a_stage():
    from accessmedia.core.progress import ForwardingReporter

    events: list[tuple] = []
    r = ForwardingReporter(events.append, "tale", interval=60.0)
    r.start("tale.mp4", 40.0)
    for done in (4.0, 8.0, 12.0):
        r.update(done, "transcribing")
    r.update(40.0, "transcribed")
    updates = [e for e in events if e[0] == "update"]
    assert updates[0][2] == 4.0 and updates[-1][2:] == (40.0, "transcribed") and len(updates) == 2


def test_the_report_links_each_replay_page(tmp_path):
    from accessmedia.runs import report

    page = tmp_path / "konferanse" / "dist" / "site" / "index.html"
    session = {"name": "konferanse", "title": "Åpning", "recording": "konferanse.mp4", "worker": "", "error": None,
               "stages": [], "warnings": [], "replay_page": str(page)}
    built = report.build("Konferanse", [session], 0.0, 1.0, "local", 1)
    html = report.render_html(built, tmp_path)
    assert '<a href="konferanse/dist/site/index.html">' in html


def test_the_settings_are_rebuilt_from_the_stage_records_and_a_field_this_version_lacks_is_left_out(narrow):
    from accessmedia.pipeline.settings import from_record

    made = build("nn", targets=["en"], terms=["IMDi"], style=narrow, translation=Translation(routes=(("en", ("nn-en",)),)),
                 packaging=Packaging("Tittel", chapters=(Chapter(0.0, "Åpning"),)))
    recorded = {s.name: {"settings": json.loads(json.dumps(s.uses(made)))} for s in process.STAGES}  # as process.json keeps it
    again = from_record(recorded)
    assert again == made and again.profile().max_chars_per_line == 16
    recorded["translate"]["settings"]["translation"]["from_a_later_version"] = 1
    recorded["transcribe"]["settings"]["recognition"]["decode"]["gone"] = True
    assert from_record(recorded) == made
    assert from_record({}, "nn") == Settings(language="nn")  # nothing recorded: the defaults, in the source language


def test_a_model_name_made_from_a_file_name_is_plain():
    from accessmedia.models.catalog import is_plain, plain_name

    assert [plain_name(s) for s in ("nb whisper", "a...b", "..x", "...", "æøå")] == ["nb-whisper", "a.b", "x", "model", "model"]
    assert all(is_plain(plain_name(s)) for s in ("x" * 300, "a..b..c", " . ", "-_-"))
