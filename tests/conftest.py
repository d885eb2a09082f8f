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

from accessmedia import media
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
