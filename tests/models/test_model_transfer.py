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
