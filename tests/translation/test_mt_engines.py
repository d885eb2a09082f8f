"""Translation engines beyond Argos, with real (tiny, made here) models of each family (tests/mt_toy.py):
install from a folder and its checks, the licence gate, language tokens and prefixes, routes chosen by the
catalogue's published quality, pins, the cache per model and direction, export and add, Somali and Tigrinya."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from accessmedia.models import translation as mt_models
from accessmedia.subtitles import style
from accessmedia.subtitles import formats as subtitles
from accessmedia.api import HARD_RULES
from accessmedia.translation.translate import RLM, LoadedTranslator

from ..argos_toy import expected
from ..conftest import run_cli
from ..mt_toy import build_madlad, build_marian, build_nllb

SPEECH = (
    "1\n00:00:01,000 --> 00:00:03,500\nVelkommen til konferansen,\nsa lederen av IMDi\n\n"
    "2\n00:00:03,600 --> 00:00:06,000\nog takket alle som kom.\n\n"
    "3\n00:00:09,000 --> 00:00:11,000\nNOVA la fram en ny rapport.\n\n"
    "4\n00:00:11,100 --> 00:00:13,500\nHvor mange kom i 2024?\n"
)
NC = "CC-BY-NC-4.0"


@pytest.fixture(scope="session")
def toys(tmp_path_factory) -> dict[str, Path]:
    """One model folder of each family, as the hubs publish them."""
    folder = tmp_path_factory.mktemp("mt")
    return {
        "nllb": build_nllb(folder / "nllb-600m-ct2"),
        "madlad": build_madlad(folder / "madlad400-3b-ct2"),
        "gmq-en": build_marian(folder / "opus-mt-gmq-en", "nb", ["en"]),
        "en-ti": build_marian(folder / "opus-mt-en-ti", "en", ["ti"]),
        "en-mul": build_marian(folder / "opus-mt-en-mul", "en", ["so", "ti"]),
    }


@pytest.fixture()
def speech(tmp_path) -> Path:
    path = tmp_path / "tale.nb.srt"
    path.write_text(SPEECH, encoding="utf-8")
    return path


def add(folder: Path, *args: str):
    return run_cli("models", "add", str(folder), *args)


def texts(path: Path) -> list[str]:
    return [" ".join(c.lines).replace(RLM, "") for c in subtitles.read(path).cues]


def source_texts(path: Path) -> list[str]:
    return [" ".join(c.lines) for c in subtitles.read(path).cues]


def routes(*codes: str) -> dict:
    result = run_cli("models", "list", "--json", "--to", ",".join(codes))
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["routes"]


def test_each_family_installs_from_a_folder_and_translates_with_its_own_tokens(home, toys):
    assert add(toys["nllb"], "--accept-licence", NC).exit_code == 0
    assert add(toys["madlad"]).exit_code == 0
    assert add(toys["gmq-en"]).exit_code == 0  # its languages come from tokenizer_config.json
    result = add(toys["en-mul"], "--kind", "translate")
    assert result.exit_code == 0, result.output
    found = mt_models.installed()
    assert found["nllb-600m-ct2"].family == "nllb" and found["nllb-600m-ct2"].licence == NC
    assert ("nb", "so") in found["nllb-600m-ct2"].directions and ("so", "ti") in found["nllb-600m-ct2"].directions
    assert ("nb", "pl") not in found["nllb-600m-ct2"].directions  # no pol_Latn in its vocabulary
    assert found["opus-mt-gmq-en"].directions == {("nb", "en")}
    assert found["opus-mt-en-mul"].directions == {("en", "so"), ("en", "ti")}
    assert found["madlad400-3b-ct2"].licence == ""  # not in the catalogue under this name: nothing assumed
    line = "Hvor mange kom i 2024?"

    def tokens(name: str, src: str, tgt: str) -> tuple[list[str], list[str] | None, str]:
        model = LoadedTranslator(found[name])
        return model._encode(line, src, tgt), model._prefix(tgt), model.translate([line], src, tgt)[0]

    encoded, prefix, out = tokens("nllb-600m-ct2", "nb", "so")
    assert encoded[0] == "nob_Latn" and encoded[-1] == "</s>" and prefix == ["som_Latn"]
    assert out == expected(line, ("nb", "so")) == "iwps nbohf lpn j 2024?"
    encoded, prefix, out = tokens("nllb-600m-ct2", "nb", "ti")
    assert prefix == ["tir_Ethi"] and out == expected(line, ("nb", "ti")) and "፧" in out
    encoded, prefix, out = tokens("madlad400-3b-ct2", "nb", "ti")
    assert encoded[0] == "<2ti>" and encoded[-1] == "</s>" and prefix is None and out == expected(line, ("nb", "ti"))
    encoded, prefix, out = tokens("opus-mt-en-mul", "en", "so")
    assert encoded[0] == ">>som<<" and out == expected(line, ("en", "so"))
    encoded, prefix, out = tokens("opus-mt-gmq-en", "nb", "en")
    assert encoded[0] != ">>eng<<" and encoded[-1] == "</s>" and out == expected(line, ("nb", "en"))
    meta = json.loads((home / "translate" / "nllb-600m-ct2" / "accessmedia-model.json").read_text())
    assert meta["family"] == "nllb" and len(meta["sha256"]) == 64 and meta["source"].startswith("folder:")


def test_a_bad_model_folder_installs_nothing(home, toys, tmp_path):
    def broken(name: str, change) -> Path:
        copy = tmp_path / name
        shutil.copytree(toys["madlad"], copy)
        change(copy)
        return copy

    cases = {
        "no-model": (lambda f: (f / "model.bin").unlink(), "missing model.bin"),
        "no-vocabulary": (lambda f: (f / "shared_vocabulary.json").unlink(), "missing shared_vocabulary.json"),
        "no-tokenizer": (lambda f: (f / "sentencepiece.model").unlink(), "not a translation model this tool knows"),
        "damaged": (lambda f: (f / "model.bin").write_bytes(b"\0" * 100), "does not load"),
        "link": (lambda f: ((f / "model.bin").unlink(), (f / "model.bin").symlink_to(toys["madlad"] / "model.bin")), "symbolic link"),
    }
    for name, (change, message) in cases.items():
        result = add(broken(name, change), "--kind", "translate")
        assert result.exit_code == 1 and message in result.output, (name, result.output)
        assert not (home / "translate" / name).exists(), name
    unpacked = tmp_path / "argos-folder"
    (unpacked / "model").mkdir(parents=True)
    (unpacked / "metadata.json").write_text("{}")
    result = add(unpacked, "--kind", "translate")
    assert result.exit_code == 1 and "add the .argosmodel file itself" in result.output
    nameless = tmp_path / "opus-mt-somewhere"
    shutil.copytree(toys["gmq-en"], nameless)
    (nameless / "tokenizer_config.json").unlink()
    result = add(nameless)
    assert result.exit_code == 1 and "--pairs nb-en" in result.output
    assert add(nameless, "--pairs", "nb-en").exit_code == 0
    assert mt_models.installed()["opus-mt-somewhere"].directions == {("nb", "en")}


@pytest.mark.slow  # about 47 s on a 2-core machine: not for the fast lane
def test_a_non_commercial_licence_must_be_accepted_by_name(home, toys, tmp_path):
    refused = add(toys["nllb"])
    assert refused.exit_code == 1
    assert "licensed CC-BY-NC-4.0: non-commercial use only" in refused.output and "--accept-licence CC-BY-NC-4.0" in refused.output
    assert not (home / "translate" / "nllb-600m-ct2").exists()
    assert add(toys["nllb"], "--accept-licence", "MIT").exit_code == 1
    # installing from the hub: the licence is asked for before anything is downloaded
    result = run_cli("models", "install", "nllb-200-distilled-600M")
    assert result.exit_code == 1 and "--accept-licence CC-BY-NC-4.0" in result.output
    result = run_cli("models", "install", "nllb-200-3.3B", "--accept-licence", NC, env={"HF_HUB_OFFLINE": "1"})
    assert result.exit_code == 1 and "could not download facebook/nllb-200-3.3B" in result.output  # converted once downloaded
    offline = run_cli("models", "install", "madlad400-3b", env={"HF_HUB_OFFLINE": "1"})
    assert offline.exit_code == 1 and "could not download google/madlad400-3b-mt" in offline.output
    assert "models add FOLDER" in offline.output and not (home / "translate" / "madlad400-3b").exists()
    # an export carries the licence: the offline machine has to accept it too
    assert add(toys["nllb"], "--name", "nllb-200-distilled-600M", "--accept-licence", NC).exit_code == 0
    carried = tmp_path / "usb"
    assert run_cli("models", "export", str(carried)).exit_code == 0
    offline = {"ACCESSMEDIA_MODELS": str(tmp_path / "offline")}
    refused = run_cli("models", "add", str(carried), env=offline)
    assert refused.exit_code == 1 and "non-commercial" in refused.output
    assert not any((tmp_path / "offline").rglob("accessmedia-model.json"))
    added = run_cli("models", "add", str(carried), "--accept-licence", NC, env=offline)
    assert added.exit_code == 0, added.output
    assert "installed translate model nllb-200-distilled-600M" in added.output


def test_routes_follow_the_catalogues_published_quality(home, toys):
    # Argos packages (no published chrF) are installed by the `home` fixture: nb-en, en-ar, en-pl, en-uk, en-fa, en-ur
    before = routes("en", "so", "ti", "pl", "uk", "ar")
    assert before["en"]["route"] == "nb->en direct" and before["en"]["models"] == ["nb-en"]
    assert before["en"]["better"]["install"] == ["opus-mt-tc-big-gmq-en"] and before["en"]["better"]["quality"] == 0.682
    assert before["so"]["route"] == "nb->so missing"
    # the example: gmq-en (0.682) then NLLB-200 1.3B en->so (0.459) beats NLLB-200 1.3B nb->so (0.405)
    assert before["so"]["better"]["install"] == ["opus-mt-tc-big-gmq-en", "nllb-200-distilled-1.3B"]
    assert before["so"]["better"]["quality"] == 0.459 and before["so"]["better"]["route"] == "nb->en->so pivot"
    for lang, model, quality in (("pl", "opus-mt-tc-big-gmq-zlw", 0.461), ("uk", "opus-mt-tc-big-gmq-zle", 0.514),
                                 ("ar", "opus-mt-tc-big-gmq-ar", 0.498)):  # the tc-big models: the best published from nb
        assert before[lang]["better"]["install"] == [model] and before[lang]["better"]["quality"] == quality, lang
    assert add(toys["gmq-en"], "--name", "opus-mt-tc-big-gmq-en").exit_code == 0
    assert add(toys["en-ti"], "--name", "opus-mt-en-ti").exit_code == 0
    now = routes("en", "ti", "ar")
    assert now["en"]["models"] == ["opus-mt-tc-big-gmq-en"] and now["en"]["quality"] == 0.682 and "better" not in now["en"]
    assert now["ti"]["route"] == "nb->en->ti pivot" and now["ti"]["models"] == ["opus-mt-tc-big-gmq-en", "opus-mt-en-ti"]
    assert now["ti"]["quality"] == 0.226  # a pivot counts as its weaker leg
    assert now["ar"]["models"] == ["opus-mt-tc-big-gmq-en", "en-ar"] and now["ar"]["quality"] is None
    assert add(toys["madlad"], "--name", "madlad400-3b").exit_code == 0
    assert routes("ti")["ti"]["models"] == ["madlad400-3b"]  # a direct model without a figure is not compared: it wins
    assert add(toys["nllb"], "--name", "nllb-200-distilled-600M", "--accept-licence", NC).exit_code == 0
    final = routes("en", "so", "ti")
    assert final["en"]["models"] == ["opus-mt-tc-big-gmq-en"]  # 0.682 beats NLLB's 0.632
    # both legs published better than NLLB-200 600M's nb->so (0.394): gmq-en 0.682, then its en->so 0.449
    assert final["so"]["models"] == ["opus-mt-tc-big-gmq-en", "nllb-200-distilled-600M"] and final["so"]["quality"] == 0.449
    # nb->ti: NLLB-200 600M direct 0.200 against gmq-en, then en->ti 0.230 (NLLB) or 0.226 (OPUS-MT): the pivot
    assert final["ti"]["models"] == ["opus-mt-tc-big-gmq-en", "nllb-200-distilled-600M"] and final["ti"]["non_commercial"]
    assert final["so"]["better"]["install"] == ["nllb-200-distilled-1.3B"] and final["so"]["better"]["quality"] == 0.459
    shown = run_cli("models", "list", "--to", "so")
    assert "route so   nb->en->so pivot" in shown.output and "published chrF 0.449" in shown.output


def test_somali_and_tigrinya_subtitles_with_a_tiny_nllb_model(home, toys, speech, tmp_path):
    out = tmp_path / "out"
    none = run_cli("translate", str(speech), "--to", "so,ti", "-o", str(out))
    assert none.exit_code == 0 and (out / "tale.so.template.csv").is_file() and (out / "tale.ti.template.csv").is_file()
    assert add(toys["nllb"], "--name", "nllb-200-distilled-600M", "--accept-licence", NC).exit_code == 0
    result = run_cli("translate", str(speech), "--to", "so,ti", "-o", str(out))
    assert result.exit_code == 0, result.output
    source = source_texts(speech)
    assert texts(out / "tale.so.srt") == [expected(t, ("nb", "so")) for t in source]
    assert texts(out / "tale.ti.srt") == [expected(t, ("nb", "ti")) for t in source]
    for lang in ("so", "ti"):
        cues = subtitles.read(out / f"tale.{lang}.srt").cues
        report = style.check(cues, style.load_profile(lang))
        for rule in HARD_RULES:
            assert report.share_ok(rule) == 1.0, (lang, rule, report.breaches)
        assert subtitles.read(out / f"tale.{lang}.vtt").cues == cues
    summary = json.loads((out / "tale.translations.json").read_text(encoding="utf-8"))
    assert summary["produced"]["so"]["route"] == "nb->so direct"
    assert "NLLB-200 nllb-200-distilled-600M" in summary["produced"]["so"]["engine"] and summary["produced"]["so"]["licences"] == [NC]
    assert summary["missing"] == {}
    # the cache keeps each direction of a multilingual model apart, and each model apart
    db = sqlite3.connect(out / ".cache" / "translations.sqlite3")
    keys = {k for (k,) in db.execute("SELECT DISTINCT model FROM translation")}
    db.close()
    sha = mt_models.installed()["nllb-200-distilled-600M"].sha256
    english = mt_models.installed()["nb-en"].sha256  # the first run's templates got their English column from Argos
    assert keys == {f"{sha}:nb-so:beam2", f"{sha}:nb-ti:beam2", f"{english}:beam2"}
    again = run_cli("translate", str(speech), "--to", "so,ti", "-o", str(out), "--force")
    assert again.exit_code == 0 and "0 translated, 6 from the cache" in again.output
    # the glossary and right-to-left marks work the same with this engine as with Argos
    glossary = tmp_path / "navn.txt"
    glossary.write_text("IMDi\nNOVA\n", encoding="utf-8")
    arabic = run_cli("translate", str(speech), "--to", "ar", "--glossary", str(glossary), "--route", "ar=nllb-200-distilled-600M",
                     "-o", str(tmp_path / "ar"))
    assert arabic.exit_code == 0, arabic.output
    lines = [line for c in subtitles.read(tmp_path / "ar" / "tale.ar.srt").cues for line in c.lines]
    assert all(line.startswith(RLM) and line.endswith(RLM) for line in lines)
    text = " ".join(lines)
    assert "IMDi" in text and "NOVA" in text and "IMDI" not in text


def test_a_pinned_route_wins_and_a_bad_pin_names_its_line(home, toys, speech, tmp_path):
    from accessmedia.runs import event
    from accessmedia.pipeline.settings import Translation, build

    assert add(toys["nllb"], "--name", "nllb-200-distilled-600M", "--accept-licence", NC).exit_code == 0
    assert add(toys["madlad"], "--name", "madlad400-3b").exit_code == 0
    from accessmedia import api

    out = tmp_path / "out"
    pinned = build(targets=["so"], translation=Translation(routes=(("so", ("madlad400-3b",)),)))
    result = api.translate(speech, out, pinned)
    assert result.produced["so"]["models"] == ["madlad400-3b"] and "pinned" in result.produced["so"]["engine"]
    assert texts(out / "tale.so.srt") == [expected(t, ("nb", "so")) for t in source_texts(speech)]
    # in an event manifest: [routes] so = "..."; a model that is not installed is an error on its line
    shutil.copy(Path(__file__).resolve().parents[2] / "samples" / "konferanse.mp4", tmp_path / "k.mp4")
    manifest = tmp_path / "event.toml"
    body = '[event]\nlanguages = ["en", "so"]\n\n[routes]\nso = "madlad400-3b"\nen = ["nb-en"]\n\n[[recording]]\nfile = "k.mp4"\n'
    manifest.write_text(body, encoding="utf-8")
    loaded = event.load(manifest)
    assert dict(loaded.routes) == {"so": ("madlad400-3b",), "en": ("nb-en",)}
    assert event.jobs(loaded)[0].settings.translation.pin("so") == ("madlad400-3b",)
    manifest.write_text(body.replace('so = "madlad400-3b"', 'so = "nllb-200-3.3B"'), encoding="utf-8")
    with pytest.raises(Exception) as bad:
        event.load(manifest)
    assert "event.toml:5: routes.so: the route for so names nllb-200-3.3B, which is not installed" in str(bad.value)
    manifest.write_text(body.replace('en = ["nb-en"]', 'en = ["en-ar"]'), encoding="utf-8")
    with pytest.raises(Exception) as bad:
        event.load(manifest)
    assert "routes.en" in str(bad.value) and "does not translate nb->en" in str(bad.value)


CONVERTED = Path(__file__).resolve().parents[1] / "data" / "mt"  # made by CTranslate2's converter (make_converted.py)


def test_models_converted_by_ctranslate2s_own_converter_load_with_the_right_tokens(home):
    """Tiny random models of each family, converted by ct2-transformers-converter from Hugging Face models: the
    files as the hubs' CTranslate2 copies have them; our tokens are the Hugging Face tokenizers' (tokens.json)."""
    expected_tokens = json.loads((CONVERTED / "tokens.json").read_text(encoding="utf-8"))
    opus = mt_models.add_folder(CONVERTED / "opus-mt-nb-mul", "opus-mt-nb-mul")
    assert opus.family == "marian" and opus.directions == {("nb", "so"), ("nb", "ti")}  # target_lang "mul": from >>som<<, >>tir<<
    nllb = mt_models.add_folder(CONVERTED / "nllb", "nllb-200-distilled-600M", accept_licence=NC)
    assert nllb.family == "nllb" and {("nb", "so"), ("nb", "ti"), ("en", "so")} <= nllb.directions
    madlad = mt_models.add_folder(CONVERTED / "madlad", "madlad400-3b")
    assert madlad.family == "madlad" and madlad.licence == "Apache-2.0" and ("nb", "so") in madlad.directions
    sentence = "Kjære alle sammen."
    for model, key in ((opus, "opus-mt-nb-mul"), (nllb, "nllb"), (madlad, "madlad")):
        loaded = LoadedTranslator(model)
        ours = [t if t in loaded.vocab else "<unk>" for t in loaded._encode(sentence, "nb", "so")]
        assert ours == expected_tokens[key], key
        out = loaded.translate([sentence, "Takk for i dag."], "nb", "so")
        assert len(out) == 2 and all(isinstance(x, str) for x in out)  # random weights: it runs, the text means nothing
    assert LoadedTranslator(nllb)._prefix("so") == ["som_Latn"] and LoadedTranslator(madlad)._prefix("so") is None
