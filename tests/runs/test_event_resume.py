"""An event run killed with SIGKILL during transcription, translation and packaging resumes to the
outputs of an uninterrupted run, without doing again any stage that had finished; and the Ray
executor gives the same outputs as the local workers."""

from __future__ import annotations

import pytest

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil

from ..conftest import accessmedia, digests, make_event

pytestmark = pytest.mark.slow  # the speech model, ffmpeg on real media, a browser or worker processes


def _finished(out: Path) -> dict[tuple[str, str], str]:
    """(recording, stage) -> when it finished, for every stage recorded as finished under `out`."""
    stamps = {}
    for state in out.glob("*/process.json"):
        for stage, entry in json.loads(state.read_text(encoding="utf-8"))["stages"].items():
            stamps[(state.parent.name, stage)] = entry["finished"] + entry["key"]
    return stamps


def _kill_when(manifest: Path, env: dict, marker: str) -> dict[tuple[str, str], str]:
    """Start the event, SIGKILL the command (not its workers) when its log shows `marker`; return what had finished."""
    proc = subprocess.Popen([sys.executable, "-m", "accessmedia.cli", "process", str(manifest), "--workers", "2"],
                            env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen = []
    try:
        for line in proc.stderr:
            seen.append(line)
            if marker in line:
                break
        else:
            raise AssertionError(f"the run ended before {marker!r}:\n{''.join(seen)}")
        workers = psutil.Process(proc.pid).children(recursive=True)
        proc.kill()
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -9
    gone, alive = psutil.wait_procs(workers, timeout=5)
    assert alive == [], "worker processes outlived the killed run"
    return _finished(manifest.parent / "ut")


def test_killed_event_resumes_to_the_same_outputs(event_run, models_env, tmp_path):
    manifest = make_event(tmp_path)
    out = tmp_path / "ut"
    snapshots = []
    for marker in ("transcribing", "translate started", "package started"):
        snapshots.append(_kill_when(manifest, models_env, marker))
    assert len(snapshots[-1]) < 15  # the last kill still left work to do
    assert any(stage == "transcribe" for (_, stage) in set(snapshots[1]) - set(snapshots[0]))  # progress was made in between
    final = accessmedia("process", str(manifest), "--workers", "2", env=models_env)
    assert final.returncode == 0, final.stderr
    after = _finished(out)
    assert len(after) == 15
    for snapshot in snapshots:  # a stage recorded as finished was never run again
        for key, stamp in snapshot.items():
            assert after[key] == stamp, key
    assert digests(out) == digests(event_run.out)
    assert not [p for p in out.rglob("*") if p.name.endswith((".part", ".old"))]  # no half-written leftovers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ray_executor_gives_the_same_outputs_as_local_workers(event_run, models_env, tmp_path):
    ray = Path(sys.executable).parent / "ray"
    assert ray.exists(), "Ray is part of the test extras: pip install -e '.[test]'"
    port = _free_port()
    env = {**os.environ, **models_env, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
    started = subprocess.run([str(ray), "start", "--head", f"--port={port}", "--num-cpus=2", "--include-dashboard=false",
                              "--disable-usage-stats"], env=env, capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        manifest = make_event(tmp_path)
        t = time.monotonic()
        done = accessmedia("process", str(manifest), "--executor", "ray", "--ray-address", f"127.0.0.1:{port}", "--workers", "2",
                           env=env, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        print(f"ray run: {time.monotonic() - t:.1f} s")
    finally:
        subprocess.run([str(ray), "stop", "--force"], env=env, capture_output=True, timeout=120)
    assert digests(tmp_path / "ut") == digests(event_run.out)
    report = json.loads((tmp_path / "ut" / "report.json").read_text(encoding="utf-8"))
    assert report["executor"] == "ray"
    workers = report["model_loads_per_worker"]
    assert workers and all(w.startswith("ray pid ") for w in workers)
    assert sum(n["asr"] for n in workers.values()) == len(workers) <= 2  # the speech model loaded once per actor


def test_ctrl_c_stops_the_workers_now_and_the_next_run_resumes(models_env, tmp_path):
    import signal

    manifest = make_event(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "accessmedia.cli", "process", str(manifest), "--workers", "2"],
                            env={**os.environ, **models_env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    for line in proc.stderr:
        if "transcribing" in line:
            break
    workers = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    proc.wait(timeout=60)
    assert proc.returncode == 130
    assert "error: interrupted; files already finished are kept" in rest and "leaked" not in rest
    assert psutil.wait_procs(workers, timeout=5)[1] == []
    assert not any(stage == "transcribe" for (_, stage) in _finished(tmp_path / "ut"))  # stopped, not finished first
    done = accessmedia("process", str(manifest), "--workers", "2", env=models_env)
    assert done.returncode == 0, done.stderr
    assert len(_finished(tmp_path / "ut")) == 15
