"""Carrying models to an offline machine: export, then add the folder there, every file checked first."""

from __future__ import annotations

import json

from ..conftest import run_cli


def test_export_and_add_carry_every_model_and_refuse_a_damaged_copy(home, tmp_path):
    env_from = {"ACCESSMEDIA_MODELS": str(home)}
    listed = {(r["kind"], r["name"]) for r in json.loads(run_cli("models", "list", "--json", env=env_from).output)["models"]
              if r["installed"]}
    assert len(listed) >= 6  # the toy translation packages
    carried = tmp_path / "usb"
    result = run_cli("models", "export", str(carried), env=env_from)
    assert result.exit_code == 0, result.output
    index = json.loads((carried / "models.json").read_text(encoding="utf-8"))
    assert {(m["kind"], m["name"]) for m in index["models"]} == listed
    again = run_cli("models", "export", str(carried), env=env_from)
    assert again.exit_code == 1 and "is not empty" in again.output

    damaged = tmp_path / "damaged"
    import shutil

    shutil.copytree(carried, damaged)
    victim = next(p for p in damaged.rglob("*") if p.is_file() and p.name != "models.json" and p.stat().st_size > 100)
    victim.write_bytes(b"x" + victim.read_bytes()[1:])
    other = {"ACCESSMEDIA_MODELS": str(tmp_path / "offline")}
    refused = run_cli("models", "add", str(damaged), env=other)
    assert refused.exit_code == 1 and "is not the file that was exported" in refused.output and "nothing was installed" in refused.output
    assert not (tmp_path / "offline").exists() or not any((tmp_path / "offline").rglob("accessmedia-model.json"))

    added = run_cli("models", "add", str(carried), env=other)
    assert added.exit_code == 0, added.output
    there = {(r["kind"], r["name"]) for r in json.loads(run_cli("models", "list", "--json", env=other).output)["models"] if r["installed"]}
    assert there == listed
    twice = run_cli("models", "add", str(carried), env=other)
    assert twice.exit_code == 0 and twice.output.count("already installed") == len(listed)
    # the translation packages work there: nb -> en translated offline
    srt = tmp_path / "tale.nb.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:03,000\nGod morgen.\n", encoding="utf-8")
    translated = run_cli("translate", str(srt), "--to", "en", "-o", str(tmp_path / "t"), env=other)
    assert translated.exit_code == 0, translated.output
    assert (tmp_path / "t" / "tale.en.srt").read_text(encoding="utf-8").strip()


def test_an_export_that_names_a_path_outside_its_folder_is_refused(tmp_path):
    bad = tmp_path / "bad"
    (bad / "translate" / "x").mkdir(parents=True)
    (bad / "models.json").write_text(json.dumps({"schema": "accessmedia.models-export/1", "models": [
        {"kind": "translate", "name": "x", "files": {"accessmedia-model.json": {"sha256": "0", "size": 1},
                                                     "../../evil": {"sha256": "0", "size": 1}}}]}), encoding="utf-8")
    result = run_cli("models", "add", str(bad), env={"ACCESSMEDIA_MODELS": str(tmp_path / "m")})
    assert result.exit_code == 1 and "leaves its folder" in result.output


def _export(folder, kind, name, files: dict[str, bytes], own: dict | None = None):
    """An export folder as `models export` writes one, self-consistent: every size and sha256 right."""
    import hashlib

    model = folder / kind / name
    model.mkdir(parents=True)
    files = {"accessmedia-model.json": json.dumps(own if own is not None else {"name": name, "kind": kind}).encode(), **files}
    for rel, data in files.items():
        (model / rel).write_bytes(data)
    index = {"schema": "accessmedia.models-export/1", "models": [
        {"kind": kind, "name": name, "files": {rel: {"size": len(d), "sha256": hashlib.sha256(d).hexdigest()} for rel, d in files.items()}}]}
    (folder / "models.json").write_text(json.dumps(index), encoding="utf-8")
    return folder


def test_an_export_named_like_a_catalogue_model_must_be_that_model(tmp_path):
    """A self-consistent export whose garbage model.bin is named whisper-base used to replace the default."""
    home = tmp_path / "m"
    for kind, name, file in (("asr", "whisper-base", "model.bin"), ("speaker", "campplus-3dspeaker", "model.pt")):
        bad = _export(tmp_path / f"bad-{kind}", kind, name, {file: b"garbage" * 100})
        result = run_cli("models", "add", str(bad), env={"ACCESSMEDIA_MODELS": str(home)})
        assert result.exit_code == 1 and "is not that model" in result.output, result.output
    assert not home.exists() or not any(home.rglob("model.*"))


def test_an_export_whose_manifest_is_not_the_models_is_refused_and_a_bad_install_is_never_listed(tmp_path):
    home = tmp_path / "m"
    bad = _export(tmp_path / "empty-manifest", "translate", "x", {"model.bin": b"x"}, own={})
    result = run_cli("models", "add", str(bad), env={"ACCESSMEDIA_MODELS": str(home)})
    assert result.exit_code == 1 and "does not describe it" in result.output
    (home / "translate" / "y").mkdir(parents=True)  # an install made by hand, with a manifest `{}`
    (home / "translate" / "y" / "accessmedia-model.json").write_text("{}", encoding="utf-8")
    listed = run_cli("models", "list", env={"ACCESSMEDIA_MODELS": str(home)})
    assert listed.exit_code == 0 and "Traceback" not in listed.output


def test_an_export_with_a_symbolic_link_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("a system file", encoding="utf-8")
    linked = _export(tmp_path / "linked", "translate", "z", {"model.bin": b"a system file"})
    (linked / "translate" / "z" / "model.bin").unlink()
    (linked / "translate" / "z" / "model.bin").symlink_to(secret)
    result = run_cli("models", "add", str(linked), env={"ACCESSMEDIA_MODELS": str(tmp_path / "m")})
    assert result.exit_code == 1 and "symbolic link" in result.output
    assert not (tmp_path / "m").exists() or not any((tmp_path / "m").rglob("model.bin"))
