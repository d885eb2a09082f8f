"""Installing from the hub through the real download path: huggingface_hub pointed (HF_ENDPOINT) at a local server
that answers as the hub does (tests/hubserver.py), the real command in a process of its own, a catalogue of the
test's own (ACCESSMEDIA_CATALOG) whose entry names the tiny checkpoint of tests/data/mt/hf/marian at a commit.
What must hold: one copy of the weights chosen, a download cut mid-file resumed from where it stopped, a file
whose SHA256 is not the catalogue's refused with nothing installed, too little free space refused before any
request, and `models install --for` choosing by published quality."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from accessmedia.models import hubfiles
from accessmedia.models import translation as mt_models

from ..conftest import accessmedia, run_cli
from ..ct2_model_bin import read
from ..hubserver import FakeHub, write_catalogue

HF = Path(__file__).resolve().parents[1] / "data" / "mt" / "hf" / "marian"
REFERENCE = Path(__file__).resolve().parents[1] / "data" / "mt" / "reference" / "marian"
REPO, COMMIT = "Helsinki-NLP/opus-mt-tiny-nb-en", "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture()
def published(tmp_path) -> Path:
    """The tiny checkpoint with 12 MB more in its weights file (a tensor the converter does not read), so that
    huggingface_hub, which writes what it receives in 10 MB pieces, has something to resume from."""
    from safetensors.numpy import load_file, save_file
    import numpy as np

    folder = tmp_path / "repo"
    shutil.copytree(HF, folder)
    tensors = load_file(str(HF / "model.safetensors"))
    tensors["padding.unused"] = np.zeros(3_000_000, dtype=np.float32)
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    return folder


@pytest.fixture()
def hub(published):
    with FakeHub() as server:
        server.publish(REPO, COMMIT, published)
        yield server


def env_for(hub: FakeHub, tmp_path: Path) -> dict:
    return {"HF_ENDPOINT": hub.url, "HF_HOME": str(tmp_path / "hf-home"), "HF_HUB_DISABLE_XET": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
            "ACCESSMEDIA_MODELS": str(tmp_path / "models"),
            "ACCESSMEDIA_CATALOG": str(write_catalogue(tmp_path / "catalog.toml", tmp_path / "repo", REPO, COMMIT))}


def test_a_hub_install_chooses_one_copy_resumes_a_cut_download_and_converts(hub, tmp_path):
    hub.cut["model.safetensors"] = 11 << 20  # the first GET of the weights stops after 11 MB of 12
    result = accessmedia("models", "install", "--for", "en", env=env_for(hub, tmp_path), timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "en: nb->en direct, OPUS-MT opus-mt-tiny (CC-BY-4.0; published chrF 0.500): install opus-mt-tiny" in result.stderr
    got = [(m, p.rsplit("/", 1)[-1], r) for m, p, r in hub.requests if "/resolve/" in p]
    weights = [(m, r) for m, name, r in got if name == "model.safetensors" and m == "GET"]
    assert len(weights) == 2 and weights[0][1] is None and weights[1][1] == f"bytes={10 << 20}-"  # resumed, not restarted
    assert not [name for _, name, _ in got if name == "pytorch_model.bin"]  # one copy of the weights: safetensors
    assert all(p.endswith(f"/tree/{COMMIT}") for m, p, _ in hub.requests if "/api/" in p)  # at the pinned commit
    model = json.loads((tmp_path / "models" / "translate" / "opus-mt-tiny" / "accessmedia-model.json").read_text(encoding="utf-8"))
    assert model["source"] == f"hf:{REPO}" and model["converted"]["by"] == "accessmedia"
    _, variables, _ = read(tmp_path / "models" / "translate" / "opus-mt-tiny" / "model.bin")
    _, reference, _ = read(REFERENCE / "model.bin")
    assert variables.keys() == reference.keys() and all((variables[k] == reference[k]).all() for k in reference)
    assert [p.name for p in (tmp_path / "models" / "translate").iterdir()] == ["opus-mt-tiny"]  # no download left over
    again = accessmedia("models", "install", "--for", "en", env=env_for(hub, tmp_path), timeout=120)
    assert again.returncode == 0 and "nothing to install" in again.stderr


def test_a_file_that_is_not_the_catalogues_is_refused_and_nothing_installed(hub, tmp_path):
    changed = tmp_path / "changed"
    shutil.copytree(tmp_path / "repo", changed)
    (changed / "vocab.json").write_text((changed / "vocab.json").read_text(encoding="utf-8") + " ", encoding="utf-8")
    hub.publish(REPO, COMMIT, changed)  # the repository changed under its name; the catalogue still lists the old files
    result = accessmedia("models", "install", "opus-mt-tiny", env=env_for(hub, tmp_path), timeout=300)
    assert result.returncode == 1
    assert "opus-mt-tiny: vocab.json is" in result.stderr or "vocab.json does not have the SHA256" in result.stderr
    assert not (tmp_path / "models" / "translate").exists() or not list((tmp_path / "models" / "translate").iterdir())


def test_too_little_free_space_is_refused_before_anything_is_asked(hub, tmp_path, monkeypatch):
    for key, value in env_for(hub, tmp_path).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(hubfiles, "free_bytes", lambda _path: 50_000_000)  # 50 MB: the download and its conversion need more
    result = run_cli("models", "install", "opus-mt-tiny")
    assert result.exit_code == 1 and "needs 0.1 GB free on the disk of" in result.output and "nothing was downloaded" in result.output
    assert hub.requests == [] and "opus-mt-tiny" not in mt_models.installed()


def test_the_studio_offers_and_installs_what_a_language_needs(hub, tmp_path, monkeypatch):
    """The studio's language list: the best open route's models offered with licence, size and quality, installed
    by one request (through the same hub path); a non-commercial one only offered with its licence named."""
    import huggingface_hub.constants as hub_constants
    from starlette.testclient import TestClient

    from accessmedia.web import studio

    from ..web.test_studio_security import BASE, new_project, post

    for key, value in env_for(hub, tmp_path).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(hub_constants, "ENDPOINT", hub.url)
    monkeypatch.setattr(hub_constants, "HUGGINGFACE_CO_URL_TEMPLATE", hub.url + "/{repo_id}/resolve/{revision}/{filename}")
    client = TestClient(studio.create_app(new_project(tmp_path)), base_url=BASE)
    client.csrf = client.get("/api/state").json()["csrf"]
    english = next(x for x in client.get("/api/state").json()["languages"] if x["code"] == "en")
    assert english["volunteers"] and english["offer_nc"] is None
    assert english["offer"]["install"] == ["opus-mt-tiny"] and english["offer"]["licences"] == ["CC-BY-4.0"]
    assert english["offer"]["quality"] == 0.5 and english["offer"]["size_mb"] == 12 and not english["offer"]["non_commercial"]
    answer = post(client, "/api/models/install-for", json.dumps({"languages": ["en"], "accept_licence": None}).encode())
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"installed": ["opus-mt-tiny"]} and "opus-mt-tiny" in mt_models.installed()
    english = next(x for x in client.get("/api/state").json()["languages"] if x["code"] == "en")
    assert not english["volunteers"] and english["offer"] is None and "opus-mt-tiny" in english["engine"]
