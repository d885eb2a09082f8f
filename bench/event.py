"""Benchmark: a whole event (samples/event.toml: three recordings, 2.5 minutes, four languages)
with 1 worker against 2 workers, and the rerun that finds everything up to date.

Each run is the real command in a process of its own, into a fresh output folder, with the
default speech model and Argos-size translation packages (nb->en, en->ar, en->uk: 6 layers,
d_model 512, int8, made here because Argos models cannot be downloaded; Somali has none).
Peak memory is the largest sum of the resident memory of the command and all its workers,
sampled every 50 ms. The runs alternate (1, 2, 1, 2, ...) and the median is reported.

Writes the event section of bench/RESULTS.md and bench/results-event.json.
Run: .venv/bin/python bench/event.py [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
from tests.conftest import EVENT_LANGUAGES, digests, make_event  # noqa: E402

WORK = ROOT / "bench" / "work" / "event"
PAIRS = (("nb", "en"), ("en", "ar"), ("en", "uk"))


def models_home() -> Path:
    """A models folder with Argos-size packages (made once, kept in bench/work) and the default speech model."""
    from accessmedia.models import catalog as models
    from tests.argos_toy import build_package

    home = WORK / "models"
    asr = models.resolve_asr_model(None)  # installs the default model where it normally lives, once
    (home / "asr").mkdir(parents=True, exist_ok=True)
    link = home / "asr" / asr.name
    if not link.exists():
        link.symlink_to(asr.path, target_is_directory=True)
    env = {**os.environ, "ACCESSMEDIA_MODELS": str(home)}
    for src, tgt in PAIRS:
        if not (home / "translate" / f"{src}-{tgt}").exists():
            package = build_package(WORK / f"translate-{src}_{tgt}.argosmodel", src, tgt, size="realistic")
            subprocess.run([sys.executable, "-m", "accessmedia.cli", "models", "add", str(package)], env=env, check=True,
                           stdout=subprocess.DEVNULL)
    return home


def measure(cmd: list[str], env: dict) -> tuple[float, float, str]:
    """Wall seconds and peak resident memory (MB) of a command and every process under it."""
    import psutil

    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    top = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [top, *top.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    seconds = time.monotonic() - started
    out = proc.stdout.read()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out}")
    return seconds, peak / 2**20, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    env = {**os.environ, "ACCESSMEDIA_MODELS": str(models_home())}
    runs: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
    rerun = []
    outputs = {}
    for n in range(args.repeat):
        for workers in (1, 2):
            folder = WORK / f"run-{workers}"
            shutil.rmtree(folder, ignore_errors=True)
            manifest = make_event(folder)
            cmd = [sys.executable, "-m", "accessmedia.cli", "process", str(manifest), "--workers", str(workers), "-q"]
            seconds, peak, _ = measure(cmd, env)
            runs[workers].append((seconds, peak))
            print(f"{workers} worker(s): {seconds:.1f} s, peak {peak:.0f} MB", flush=True)
            outputs[workers] = digests(folder / "ut")
            if workers == 2:
                seconds, peak, out = measure(cmd, env)
                assert out.count("ran nothing") == 3, out
                rerun.append((seconds, peak))
                print(f"rerun, nothing to do: {seconds:.2f} s, peak {peak:.0f} MB", flush=True)
    audio = 147.3
    one = statistics.median(s for s, _ in runs[1])
    two = statistics.median(s for s, _ in runs[2])
    results = {
        "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "event": {"recordings": 3, "audio_seconds": audio, "languages": list(EVENT_LANGUAGES)},
        "runs": {str(w): [{"seconds": round(s, 2), "peak_rss_mb": round(p)} for s, p in r] for w, r in runs.items()},
        "median_seconds": {"1": round(one, 2), "2": round(two, 2)},
        "peak_rss_mb": {"1": round(max(p for _, p in runs[1])), "2": round(max(p for _, p in runs[2]))},
        "speedup_2_over_1": round(one / two, 3),
        "rerun_seconds": round(statistics.median(s for s, _ in rerun), 2),
        "same_outputs": outputs[1] == outputs[2],
    }
    print(json.dumps(results, indent=1))
    (ROOT / "bench" / "results-event.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    write_section("Event (bench/event.py)", [
        f"Measured {results['date']} on {results['machine']}, CPU. samples/event.toml: three recordings "
        f"({audio / 60:.1f} min of speech), languages {', '.join(EVENT_LANGUAGES)} (Somali has no model: a template), "
        "default speech model, Argos-size translation packages; every stage from nothing, the whole command in a process "
        f"of its own, median of {args.repeat} runs each.",
        "",
        "| workers | seconds | times real time | peak RSS of all processes (MB) |",
        "|---|---|---|---|",
        f"| 1 | {one:.1f} | {audio / one:.1f}x | {results['peak_rss_mb']['1']} |",
        f"| 2 | {two:.1f} | {audio / two:.1f}x | {results['peak_rss_mb']['2']} |",
        "",
        f"Speed-up of 2 workers over 1: **{results['speedup_2_over_1']}x** on {os.cpu_count()} cores; peak memory "
        f"{results['peak_rss_mb']['2'] / results['peak_rss_mb']['1']:.2f}x. Same outputs with 1 and 2 workers: "
        f"{'yes' if results['same_outputs'] else 'NO'}. A rerun with everything up to date: {results['rerun_seconds']} s "
        "(no worker started, no model loaded). One worker already translates two batches at once on its cores "
        "(bench/batching.py), so a second worker gains mostly in transcription and packaging.",
    ])


if __name__ == "__main__":
    main()
