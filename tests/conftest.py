"""Shared fixtures. The evaluation recordings live in ../shared/eval beside the
checkout (or $ACCESSMEDIA_EVAL); a missing recording, model or ffmpeg is a
test failure, never a skip."""

from __future__ import annotations

import os
import subprocess
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from accessmedia.core import media
from accessmedia.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "konferanse.mp4"


def eval_dir() -> Path:
    candidates = [os.environ.get("ACCESSMEDIA_EVAL"), ROOT.parent / "shared" / "eval"]
    for c in candidates:
        if c and (Path(c) / "king.mp3").is_file():
            return Path(c)
    pytest.fail("evaluation recordings not found: put shared/eval beside the checkout or set ACCESSMEDIA_EVAL")


@pytest.fixture(scope="session")
def eval_files() -> Path:
    return eval_dir()


def normalize_for_wer(text: str) -> str:
    """The scoring convention of shared/eval/README.md."""
    text = unicodedata.normalize("NFC", text).lower()
    text = "".join(c if (c.isalnum() or c.isspace()) else " " for c in text)
    return " ".join(text.split())


def wer(reference: str, hypothesis: str) -> float:
    import jiwer

    return jiwer.wer(normalize_for_wer(reference), normalize_for_wer(hypothesis))


def ffmpeg(*args: str) -> None:
    subprocess.run([media.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def run_cli(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture(scope="session")
def transcribed(tmp_path_factory, eval_files) -> Path:
    """king.mp3 and the two NPSC clips, transcribed once with the default model and settings."""
    out = tmp_path_factory.mktemp("transcribed")
    inputs = [str(eval_files / n) for n in ("king.mp3", "npsc-short-3s.mp3", "npsc-medium-8s.mp3")]
    result = run_cli("transcribe", *inputs, "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    return out


PAIRS = [("nb", "en"), ("en", "ar"), ("en", "pl"), ("en", "uk"), ("en", "fa"), ("en", "ur")]


@pytest.fixture(scope="session")
def packages(tmp_path_factory) -> dict:
    """Toy Argos packages (tests/argos_toy.py) for every pair the tests use."""
    from .argos_toy import build_package

    folder = tmp_path_factory.mktemp("argos")
    return {pair: build_package(folder / f"translate-{pair[0]}_{pair[1]}.argosmodel", *pair) for pair in PAIRS}


@pytest.fixture()
def home(tmp_path, monkeypatch, packages):
    """A models folder with every toy package installed through `models add`."""
    monkeypatch.setenv("ACCESSMEDIA_MODELS", str(tmp_path / "models"))
    for path in packages.values():
        result = run_cli("models", "add", str(path))
        assert result.exit_code == 0, result.output
    return tmp_path / "models"


# -- events: the three sample recordings, run once for every test that needs the result --------------

EVENT_FILES = ("event.toml", "navn.txt", "konferanse.mp4", "panel.mp4", "avslutning.mp4")
EVENT_LANGUAGES = ("en", "ar", "uk", "so")


def make_event(folder: Path) -> Path:
    """A copy of samples/event.toml and its recordings in `folder`, writing to folder/ut; returns the manifest."""
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    for name in EVENT_FILES:
        shutil.copy(ROOT / "samples" / name, folder / name)
    manifest = folder / "event.toml"
    text = manifest.read_text(encoding="utf-8")
    assert 'output = "../out/event"' in text
    manifest.write_text(text.replace('output = "../out/event"', 'output = "ut"'), encoding="utf-8")
    return manifest


def accessmedia(*args: str, env: dict, **kwargs) -> subprocess.CompletedProcess:
    """The real command, in a process of its own (worker pools and Ray need one)."""
    import sys

    return subprocess.run([sys.executable, "-m", "accessmedia.cli", *args], env={**os.environ, **env},
                          capture_output=True, text=True, **kwargs)


def digests(folder: Path) -> dict[str, str]:
    """sha256 of every output file under `folder`, by relative path; run records (times, absolute paths,
    the translation cache, the ledger's history) left out."""
    import hashlib

    volatile = {"report.json", "report.html", "process.json", ".accessmedia.lock", "written.json"}
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and path.name not in volatile and not path.name.endswith(".package.json") and ".cache" not in rel.parts:
            out[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="session")
def models_env(tmp_path_factory, packages) -> dict:
    """An environment whose models folder has every toy Argos package (and, after first use, the default speech model)."""
    home = tmp_path_factory.mktemp("models-home")
    env = {"ACCESSMEDIA_MODELS": str(home)}
    for path in packages.values():
        result = run_cli("models", "add", str(path), env=env)
        assert result.exit_code == 0, result.output
    return env


@pytest.fixture(scope="session")
def event_run(tmp_path_factory, models_env):
    """samples/event.toml (three recordings, four languages) processed once with two local workers."""
    from types import SimpleNamespace

    folder = tmp_path_factory.mktemp("event")
    manifest = make_event(folder)
    done = accessmedia("process", str(manifest), "--workers", "2", env=models_env)
    assert done.returncode == 0, done.stdout + done.stderr
    return SimpleNamespace(manifest=manifest, out=folder / "ut", stdout=done.stdout, stderr=done.stderr)
