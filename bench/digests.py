"""Outputs unchanged: runs a fixed set of commands into a fresh folder and writes the sha256 of every output
file (run records left out), so a refactor can be compared with the code before it.

    python bench/digests.py OUT.json [--code DIR]

--code DIR runs another checkout's accessmedia (a `git worktree` of the commit before), with the same Python
environment; compare two results with `python bench/digests.py --compare A.json B.json`.

The commands: `process samples/event.toml` (three recordings, en/ar/uk/so with toy Argos packages nb-en,
en-ar, en-uk so that real translations are made), `transcribe` of the three shared eval clips,
`process konferanse.mp4 --to en,ar,so`, `translate king.transcript.json --to en,uk,so`, `package panel.mp4`.
Run records (process.json, report.*, the ledger, NAME.package.json, the translation cache) are left out
of the digests; the stage keys in every process.json are compared on their own.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = Path(os.environ.get("ACCESSMEDIA_EVAL", ROOT.parent / "shared" / "eval"))
RECORDS = {"process.json", "report.json", "report.html", "written.json", "translations.sqlite3", ".accessmedia.lock"}


def _skipped(path: Path) -> bool:
    return path.name in RECORDS or path.name.endswith(".package.json") or ".cache" in path.parts or ".accessmedia" in path.parts


def run(out_json: Path, code: Path | None) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.argos_toy import build_package

    work = Path(tempfile.mkdtemp(prefix="digests-"))
    env = dict(os.environ, ACCESSMEDIA_MODELS=str(work / "models"), PYTHONHASHSEED="0")
    if code is not None:
        env["PYTHONPATH"] = str(code.resolve())
    cli = [sys.executable, "-c", "from accessmedia.cli import main; main()"]

    def am(*args: str, cwd: Path = work) -> None:
        print("accessmedia", *args, flush=True)
        subprocess.run([*cli, *args], cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)

    packages = Path(tempfile.gettempdir()) / "accessmedia-digests-packages"  # the same packages for both runs: their
    for src, tgt in (("nb", "en"), ("en", "ar"), ("en", "uk")):  # hashes are in the translation stage's key
        package = packages / f"translate-{src}_{tgt}.argosmodel"
        if not package.exists():
            build_package(package, src, tgt)
        am("models", "add", str(package))
    samples = work / "samples"
    shutil.copytree(ROOT / "samples", samples)
    am("process", "event.toml", cwd=samples)
    for clip in ("king.mp3", "npsc-short-3s.mp3", "npsc-medium-8s.mp3"):
        am("transcribe", str(EVAL / clip), "-o", str(work / "transcribed"))
    am("process", str(samples / "konferanse.mp4"), "--to", "en,ar,so", "-o", str(work / "processed"))
    am("translate", str(work / "transcribed" / "king.transcript.json"), "--to", "en,uk,so", "-o", str(work / "translated"))
    am("package", str(samples / "panel.mp4"), "--subs", str(work / "out" / "event" / "panel"), "-o", str(work / "packaged"))

    digests, keys = {}, {}
    for path in sorted(p for p in work.rglob("*") if p.is_file()):
        rel = path.relative_to(work).as_posix()
        if path.name == "process.json":
            keys[rel] = {name: stage.get("key") for name, stage in json.loads(path.read_text()).get("stages", {}).items()}
        if rel.startswith("models/") or _skipped(path) or path.suffix == ".argosmodel":
            continue
        digests[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    out_json.write_text(json.dumps({"files": digests, "stage_keys": keys}, indent=1, sort_keys=True), encoding="utf-8")
    print(f"{len(digests)} files, {len(keys)} process records -> {out_json} (work folder {work})")


def compare(a: Path, b: Path) -> int:
    old, new = json.loads(a.read_text()), json.loads(b.read_text())
    files = sorted(set(old["files"]) | set(new["files"]))
    differ = [f for f in files if old["files"].get(f) != new["files"].get(f)]
    same = len(files) - len(differ)
    for f in differ:
        print("differs:", f, "(missing in one)" if f not in old["files"] or f not in new["files"] else "")
    keys_same = old["stage_keys"] == new["stage_keys"]
    print(f"{same} of {len(files)} files byte-identical; stage keys {'identical' if keys_same else 'DIFFER'}")
    return 0 if not differ and keys_same else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", nargs="?", type=Path)
    parser.add_argument("--code", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path)
    args = parser.parse_args()
    if args.compare:
        sys.exit(compare(*args.compare))
    run(args.out, args.code)
