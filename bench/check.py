"""Benchmark: `accessmedia check` on 50 MB subtitle files (541,464 cues, every cue with a reading-speed
breach, the worst case for the report), SRT and WebVTT, text and --json output; target under 8 s and
under 300 MB each. Peers in the same run: the `srt` package's parse() and webvtt-py's read() of the same
files (they read only; check also checks every rule and writes the report).

Each run is a process of its own; seconds are wall time including start-up, memory the process's peak
resident size. Three runs each: min / median / max.
Writes the check section of bench/RESULTS.md and bench/results-check.json.
Run: .venv/bin/python bench/check.py
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402

WORK = ROOT / "bench" / "work" / "check"
CUES = 541_464
RUNS = 3
BEFORE = {"srt": (41.0, 467), "vtt --json": (29.0, 818)}  # measured on main before this work (issue 12)


def files() -> dict[str, Path]:
    out = {"srt": WORK / "big.srt", "vtt": WORK / "big.vtt"}
    if not all(p.exists() for p in out.values()):
        # made in a process of its own: a child forked from a process holding half a million cues
        # would count that memory as its own peak
        subprocess.run([sys.executable, __file__, "--make"], check=True)
    return out


def make() -> None:
    from accessmedia.subtitles.cue import Cue
    from accessmedia.subtitles.formats import compose_srt, compose_vtt

    WORK.mkdir(parents=True, exist_ok=True)
    cues = [Cue(n * 2.0, n * 2.0 + 1.5, (f"Linje nummer {n} med litt tekst", "og en til på to")) for n in range(CUES)]
    (WORK / "big.srt").write_text(compose_srt(cues), encoding="utf-8")
    (WORK / "big.vtt").write_text(compose_vtt(cues), encoding="utf-8")


def measure(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one process."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):  # check exits 1 on errors; the files have none
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    paths = files()
    cli = [sys.executable, "-m", "accessmedia.cli", "check"]
    runs = {
        "accessmedia check (SRT)": cli + [str(paths["srt"])],
        "accessmedia check --json (SRT)": cli + ["--json", str(paths["srt"])],
        "accessmedia check (WebVTT)": cli + [str(paths["vtt"])],
        "accessmedia check --json (WebVTT)": cli + ["--json", str(paths["vtt"])],
        "srt package: list(srt.parse()) (SRT)": [sys.executable, "-c", f"import srt; list(srt.parse(open({str(paths['srt'])!r}, encoding='utf-8').read()))"],
        "webvtt-py: webvtt.read() (WebVTT)": [sys.executable, "-c", f"import webvtt; len(webvtt.read({str(paths['vtt'])!r}).captions)"],
    }
    results = {}
    for name, cmd in runs.items():
        samples = [measure(cmd) for _ in range(RUNS)]
        secs = sorted(s for s, _ in samples)
        results[name] = {"seconds": [round(s, 2) for s in secs], "median_seconds": round(statistics.median(secs), 2),
                         "peak_rss_mb": round(max(m for _, m in samples))}
        print(f"{name}: {results[name]}", flush=True)
    machine = f"{platform.node() or 'vm'} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    size = {k: round(p.stat().st_size / 1e6, 1) for k, p in paths.items()}
    payload = {"machine": machine, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cues": CUES, "mb": size, "runs": results}
    (ROOT / "bench" / "results-check.json").write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    ours = {k: v for k, v in results.items() if k.startswith("accessmedia")}
    worst_s = max(v["median_seconds"] for v in ours.values())
    worst_mb = max(v["peak_rss_mb"] for v in ours.values())
    srt_peer = results["srt package: list(srt.parse()) (SRT)"]["median_seconds"]
    vtt_peer = results["webvtt-py: webvtt.read() (WebVTT)"]["median_seconds"]
    lines = [
        f"Measured {payload['date']} on {machine}. {CUES:,} cues: SRT {size['srt']} MB, WebVTT {size['vtt']} MB; every cue "
        "breaks the reading-speed rule (the longest report). Wall time including start-up, min / median / max of "
        f"{RUNS} runs; peak resident memory.",
        "",
        "| run | seconds (min / median / max) | peak RSS (MB) |",
        "|---|---|---|",
        *[f"| {k} | {v['seconds'][0]} / {v['median_seconds']} / {v['seconds'][-1]} | {v['peak_rss_mb']} |" for k, v in results.items()],
        "",
        f"Slowest accessmedia run: **{worst_s} s** (target < 8 s), largest: **{worst_mb} MB** (target < 300 MB); before this "
        f"work `check` took {BEFORE['srt'][0]:g} s and {BEFORE['srt'][1]} MB on the SRT, `check --json` {BEFORE['vtt --json'][0]:g} s "
        f"and {BEFORE['vtt --json'][1]} MB on the WebVTT. Against the readers that only read: check (SRT) / srt.parse "
        f"**{ours['accessmedia check (SRT)']['median_seconds'] / srt_peer:.2f}x**, check (WebVTT) / webvtt-py "
        f"**{ours['accessmedia check (WebVTT)']['median_seconds'] / vtt_peer:.2f}x**.",
    ]
    write_section("Checking large subtitle files (bench/check.py)", lines)


if __name__ == "__main__":
    make() if sys.argv[1:] == ["--make"] else main()
