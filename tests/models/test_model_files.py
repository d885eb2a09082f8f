"""Model files are input like any other (issue 21): a crafted Argos package or a name given with --name can never
write or delete outside the models folder, and an install never replaces a folder it did not make."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from ..conftest import run_cli


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> Path:
    from ..argos_toy import build_package

    return build_package(tmp_path_factory.mktemp("argos") / "translate-nb_en.argosmodel", "nb", "en")


def crafted(toy: Path, out: Path, **meta) -> Path:
    """The toy package with metadata.json changed as an attacker would."""
    with zipfile.ZipFile(toy) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.endswith("/metadata.json"):
                data = json.dumps({**json.loads(data), **meta}).encode("utf-8")
            dst.writestr(item, data)
    return out


@pytest.mark.parametrize("code", ["/some/dir/victim", "../../../../x", "nb/../../y", "", "NB EN", "a" * 40, 7])
def test_an_argos_package_whose_codes_are_no_language_codes_installs_nothing(toy, tmp_path, code):
    victim = tmp_path / "some" / "dir" / "victim-en"
    victim.mkdir(parents=True)
    (victim / "work.txt").write_text("a person's file", encoding="utf-8")
    home = tmp_path / "home" / "models"
    code = str(tmp_path / "some" / "dir" / "victim") if code == "/some/dir/victim" else code
    package = crafted(toy, tmp_path / "bad.argosmodel", from_code=code)
    result = run_cli("models", "add", str(package), env={"ACCESSMEDIA_MODELS": str(home)})
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1, result.output
    assert "not a language code" in result.output or "names no from_code" in result.output
    assert (victim / "work.txt").read_text(encoding="utf-8") == "a person's file"  # nothing deleted
    assert {p.name for p in tmp_path.iterdir()} <= {"bad.argosmodel", "home", "some"}  # nothing made beside
    assert not (home / "translate").exists() or not any((home / "translate").iterdir())


def test_an_install_never_replaces_a_folder_it_did_not_make(toy, tmp_path):
    home = tmp_path / "models"
    theirs = home / "translate" / "nb-en"
    theirs.mkdir(parents=True)
    (theirs / "notes.txt").write_text("kept", encoding="utf-8")
    result = run_cli("models", "add", str(toy), env={"ACCESSMEDIA_MODELS": str(home)})
    assert result.exit_code == 1 and "was not installed by accessmedia" in result.output
    assert (theirs / "notes.txt").read_text(encoding="utf-8") == "kept"
    (theirs / "notes.txt").unlink()
    theirs.rmdir()
    assert run_cli("models", "add", str(toy), env={"ACCESSMEDIA_MODELS": str(home)}).exit_code == 0
    again = run_cli("models", "add", str(toy), env={"ACCESSMEDIA_MODELS": str(home)})  # its own install is replaced
    assert again.exit_code == 0, again.output


@pytest.mark.parametrize("name", ["../../../x", "/tmp/x", "a/b", "..", ".hidden", "x" * 200, "navn med mellomrom"])
@pytest.mark.parametrize("kind", ["speaker", "asr"])
def test_a_name_given_for_a_model_is_a_plain_name(tmp_path, name, kind):
    home = tmp_path / "home" / "models"
    source = tmp_path / "src"
    if kind == "speaker":
        source = tmp_path / "model.onnx"
        source.write_bytes(b"not read: the name is refused first")
    else:
        source.mkdir()
        for f in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt"):
            (source / f).write_text("{}", encoding="utf-8")
    result = run_cli("models", "add", str(source), "--kind", kind, "--name", name, env={"ACCESSMEDIA_MODELS": str(home)})
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1, result.output
    assert "Traceback" not in result.output
    assert "is not a model name" in result.output
    assert {p.name for p in tmp_path.iterdir()} <= {"home", source.name}  # nothing written beside the models folder


def _onnx(path: Path, external: str | None = None) -> Path:
    """A tiny valid ONNX model (y = x * w); with `external`, its weight claims to live in that file."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    weight = numpy_helper.from_array(np.ones((1, 80), dtype=np.float32), "w")
    if external is not None:
        from onnx.external_data_helper import set_external_data

        set_external_data(weight, location=external)
        weight.data_location = TensorProto.EXTERNAL
        weight.ClearField("raw_data")
    graph = helper.make_graph([helper.make_node("Mul", ["x", "w"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, None, 80])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, None, 80])], [weight])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


def _evil_pt(path: Path) -> Path:
    import os
    import pickle

    class Evil:
        def __reduce__(self):
            return (os.system, ("touch pwned",))

    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps({"w": Evil()}))
    return path


@pytest.mark.parametrize("make, expected", [
    (lambda p: _evil_pt(p / "evil.pt"), "may not name"),
    (lambda p: (p / "garbage.pt").write_bytes(b"\x00garbage" * 50) and p / "garbage.pt", "PyTorch checkpoint"),
    (lambda p: (p / "garbage.onnx").write_bytes(b"\x00garbage" * 50) and p / "garbage.onnx", "ONNX"),
    (lambda p: _onnx(p / "outside.onnx", "../../etc/passwd"), "other files"),
    (lambda p: _onnx(p / "absolute.onnx", "/etc/passwd"), "other files"),
])
def test_a_model_file_that_cannot_be_used_installs_nothing(tmp_path, make, expected, monkeypatch):
    """Each used to install with exit 0 and fail only when used: now it is read at install, in one line."""
    monkeypatch.chdir(tmp_path)
    made = tmp_path / "in"
    made.mkdir()
    home = tmp_path / "models"
    result = run_cli("models", "add", str(make(made)), "--kind", "speaker", env={"ACCESSMEDIA_MODELS": str(home)})
    assert result.exit_code == 1 and expected in result.output and len(result.output.strip().splitlines()) == 1, result.output
    assert not (tmp_path / "pwned").exists()
    assert not home.exists() or not any(home.rglob("accessmedia-model.json"))


def test_a_working_onnx_speaker_model_is_checked_and_installed(tmp_path):
    """The check runs the model on a second of audio: a tiny ONNX model with an 80-wide output passes."""
    home = tmp_path / "models"
    result = run_cli("models", "add", str(_onnx(tmp_path / "tiny.onnx")), "--kind", "speaker", env={"ACCESSMEDIA_MODELS": str(home)})
    assert result.exit_code == 0, result.output
    assert (home / "speaker" / "tiny" / "model.onnx").is_file()


# -- fuzzed: whatever a model file says, nothing outside the models folder, no crash, one line ------------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

JSONISH = st.recursive(st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats(allow_nan=False) | st.text(max_size=30),
                       lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
                       max_leaves=12)
CODES = st.one_of(st.sampled_from(["nb", "en", "../x", "/abs", "nb/../..", "..", ".", "~", "nb\x00en", "C:\\x", "nb-NO"]),
                  st.text(max_size=12), JSONISH)


def _outside(tmp_path: Path, allowed: set[str]) -> set[str]:
    return {p.name for p in tmp_path.iterdir()} - allowed


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(from_code=CODES, to_code=CODES, extra=st.dictionaries(st.sampled_from(["package_version", "argos_version", "type",
                                                                              "languages", "from_name", "to_name"]), JSONISH, max_size=3))
def test_fuzzed_argos_metadata_installs_inside_the_models_folder_or_says_why_in_one_line(toy, tmp_path, from_code, to_code, extra):
    import shutil
    import uuid

    root = tmp_path / uuid.uuid4().hex
    root.mkdir()
    home = root / "home" / "models"
    package = crafted(toy, root / "fuzz.argosmodel", from_code=from_code, to_code=to_code, **extra)
    result = run_cli("models", "add", str(package), env={"ACCESSMEDIA_MODELS": str(home)})
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output and (result.exit_code == 0 or len(result.output.strip().splitlines()) == 1), result.output
    assert _outside(root, {"home", "fuzz.argosmodel"}) == set()
    assert not [p for p in (root / "home").rglob("*") if home not in p.parents and p != home]  # nothing beside the models folder
    shutil.rmtree(root)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(manifest=JSONISH, ours=st.booleans(), entry=st.dictionaries(st.sampled_from(["name", "kind", "files", "sha256", "size"]),
                                                                  JSONISH | CODES, max_size=5))
def test_fuzzed_export_manifests_install_nothing_outside_and_fail_in_one_line(tmp_path, manifest, ours, entry):
    from accessmedia.models.transfer import SCHEMA

    import shutil
    import uuid

    root = tmp_path / uuid.uuid4().hex
    export = root / "export"
    export.mkdir(parents=True)
    (export / "model.bin").write_bytes(b"weights")
    data = {"schema": SCHEMA, "models": [entry]} if ours else manifest
    (export / "models.json").write_text(json.dumps(data), encoding="utf-8")
    home = root / "home" / "models"
    result = run_cli("models", "add", str(export), env={"ACCESSMEDIA_MODELS": str(home)})
    assert result.exit_code == 1, result.output  # never a model: no file is named with its size and sha256
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, result.output
    assert _outside(root, {"home", "export"}) == set()
    listed = run_cli("models", "list", env={"ACCESSMEDIA_MODELS": str(home)})
    assert listed.exit_code == 0, listed.output
    shutil.rmtree(root)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.lists(st.integers(0, 2**40), max_size=3), stride=st.lists(st.integers(-4, 2**40), max_size=3),
       offset=st.integers(-4, 2**40), storage=st.sampled_from([0, 4, 16, 64]))
def test_fuzzed_checkpoint_headers_are_read_within_their_storage_or_refused(tmp_path, monkeypatch, size, stride, offset, storage):
    """Sizes, strides and offsets a .pt claims: the tensor is read from its storage's bytes, or one error; never
    a crash, never bytes from beyond the storage."""
    import numpy as np

    from accessmedia.core.errors import AccessMediaError
    from accessmedia.models.torchfile import load_state_dict

    from ..speakers.test_speakers import _checkpoint

    path = _checkpoint(tmp_path / "fuzz.pt", monkeypatch, tuple(size), tuple(stride), offset, storage)
    try:
        tensor = load_state_dict(path)["w"]
    except AccessMediaError as exc:
        assert "could not be read as a PyTorch checkpoint" in str(exc) and "\n" not in str(exc)
        return
    values = np.asarray(tensor).ravel()
    assert set(values.tolist()) <= set(range(storage // 4))  # every value is one the storage holds
