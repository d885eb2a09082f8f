"""Benchmark: `accessmedia transcribe` against bare faster-whisper, in one run.

The peer does speech recognition only, so accessmedia runs with `--speakers off` here; what finding
the speakers costs on top is measured by bench/speakers.py.

1. Same file, model and beam (king.mp3, beam 5): wall time of each whole
   process (start, model load, transcription), both WERs, both peak RSS,
   and the time ratio (target <= 1.10).
2. Long recordings made by concatenating the eval audio: peak RSS of
   accessmedia on 30 minutes and 2 hours (targets: <= 1.5 GB, 2 h <= 1.2x the
   30-minute figure, and no more than bare faster-whisper on the same 2 hours).

Writes bench/RESULTS.md (the asr section) and bench/results-asr.json.
Run: .venv/bin/python bench/asr.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import jiwer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from accessmedia import media  # noqa: E402
from accessmedia.models.catalog import resolve_asr_model  # noqa: E402
from bench.results import write_section  # noqa: E402

EVAL = Path(os.environ.get("ACCESSMEDIA_EVAL", ROOT.parent / "shared" / "eval"))
PY = sys.executable
CLI = [PY, "-m", "accessmedia.cli"]


def norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower()
    return " ".join("".join(c if (c.isalnum() or c.isspace()) else " " for c in text).split())


def run(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB, and stdout of one child process."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}")
    return seconds, usage.ru_maxrss / 1024, out


def ours(audio: Path, beam: int, work: Path) -> tuple[float, float, str]:
    out = work / f"out-{audio.stem}-{beam}"
    seconds, rss, _ = run([*CLI, "transcribe", str(audio), "-o", str(out), "-q", "--force", "--beam-size", str(beam),
                                "--speakers", "off"])
    data = json.loads((out / f"{audio.stem}.transcript.json").read_text(encoding="utf-8"))
    return seconds, rss, " ".join(s["text"] for s in data["segments"])


def bare(audio: Path, beam: int, model: Path, words: bool) -> tuple[float, float, str]:
    cmd = [PY, str(ROOT / "bench" / "bare_faster_whisper.py"), str(audio), "--model", str(model), "--beam-size", str(beam)]
    seconds, rss, out = run(cmd + (["--word-timestamps"] if words else []))
    return seconds, rss, json.loads(out)["text"]


def make_long(target: Path, minutes: float) -> Path:
    """Concatenate the eval recordings (speech, music, pauses) to `minutes` of audio."""
    sources = [EVAL / "king.mp3", EVAL / "npsc-medium-8s.mp3", EVAL / "npsc-short-3s.mp3"]
    one_round = 85.45 + 8.1 + 3.5
    rounds = int(minutes * 60 / one_round) + 1
    listing = target.with_suffix(".txt")
    listing.write_text("".join(f"file '{s}'\n" for _ in range(rounds) for s in sources), encoding="utf-8")
    subprocess.run(
        [media.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing),
         "-t", str(minutes * 60), "-ac", "1", "-ar", "16000", "-c:a", "libmp3lame", "-b:a", "48k", str(target)],
        check=True,
    )
    return target


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="skip the long-recording part")
    parser.add_argument("--long-beam", type=int, default=1)
    args = parser.parse_args()
    model = resolve_asr_model(None).path
    king = EVAL / "king.mp3"
    reference = (EVAL / "king.ref.txt").read_text(encoding="utf-8")
    results: dict = {"machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                     "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rows: dict[str, list] = {"accessmedia": [], "bare (word timestamps)": [], "bare (no word timestamps)": []}
        for _ in range(args.repeats):  # interleaved, so drift in machine load hits all alike
            rows["accessmedia"].append(ours(king, 5, work))
            rows["bare (word timestamps)"].append(bare(king, 5, model, True))
            rows["bare (no word timestamps)"].append(bare(king, 5, model, False))
        same = {}
        for name, runs in rows.items():
            same[name] = {
                "seconds": round(statistics.median(r[0] for r in runs), 2),
                "peak_rss_mb": round(max(r[1] for r in runs)),
                "wer": round(jiwer.wer(norm(reference), norm(runs[0][2])), 3),
            }
        same["ratio_vs_bare_word_timestamps"] = round(same["accessmedia"]["seconds"] / same["bare (word timestamps)"]["seconds"], 3)
        same["ratio_vs_bare_no_word_timestamps"] = round(same["accessmedia"]["seconds"] / same["bare (no word timestamps)"]["seconds"], 3)
        results["same_file"] = same
        print(json.dumps(same, indent=1), flush=True)
        if not args.quick:
            long = {}
            for minutes in (30, 120):
                audio = make_long(work / f"long-{minutes}.mp3", minutes)
                s, rss, _ = ours(audio, args.long_beam, work)
                long[f"accessmedia {minutes} min"] = {"seconds": round(s, 1), "peak_rss_mb": round(rss)}
                print(minutes, s, rss, flush=True)
            s, rss, _ = bare(work / "long-120.mp3", args.long_beam, model, True)
            long["bare 120 min"] = {"seconds": round(s, 1), "peak_rss_mb": round(rss)}
            long["beam"] = args.long_beam
            long["rss_2h_over_30min"] = round(long["accessmedia 120 min"]["peak_rss_mb"] / long["accessmedia 30 min"]["peak_rss_mb"], 3)
            long["rss_2h_vs_bare"] = round(long["accessmedia 120 min"]["peak_rss_mb"] / long["bare 120 min"]["peak_rss_mb"], 3)
            results["long"] = long
            print(json.dumps(long, indent=1), flush=True)
    (ROOT / "bench" / "results-asr.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    write_markdown(results)


def write_markdown(results: dict) -> None:
    same = results["same_file"]
    lines = [
        f"Measured {results['date']} on {results['machine']}, CPU, int8, default model whisper-base.",
        "",
        "king.mp3 (85 s), beam 5, whole process (start, model load, transcription), median of runs:",
        "",
        "| run | seconds | peak RSS (MB) | WER |",
        "|---|---|---|---|",
    ]
    for name in ("accessmedia", "bare (word timestamps)", "bare (no word timestamps)"):
        r = same[name]
        lines.append(f"| {name} | {r['seconds']} | {r['peak_rss_mb']} | {r['wer']} |")
    lines += [
        "",
        f"Time ratio accessmedia / bare faster-whisper with word timestamps: **{same['ratio_vs_bare_word_timestamps']}** "
        f"(target <= 1.10); against bare without word timestamps: {same['ratio_vs_bare_no_word_timestamps']}.",
        "",
    ]
    if "long" in results:
        long = results["long"]
        lines += [
            f"Long recordings (eval audio concatenated, beam {long['beam']}):",
            "",
            "| run | seconds | peak RSS (MB) |",
            "|---|---|---|",
        ]
        for name in ("accessmedia 30 min", "accessmedia 120 min", "bare 120 min"):
            lines.append(f"| {name} | {long[name]['seconds']} | {long[name]['peak_rss_mb']} |")
        lines += [
            "",
            f"Peak RSS 2 h / 30 min: **{long['rss_2h_over_30min']}** (target <= 1.2); "
            f"2 h accessmedia / bare: **{long['rss_2h_vs_bare']}** (target <= 1.0); 2 h peak within 1.5 GB: "
            f"**{'yes' if long['accessmedia 120 min']['peak_rss_mb'] <= 1536 else 'NO'}**.",
            "",
        ]
    write_section("Transcription (bench/asr.py)", lines)

if __name__ == "__main__":
    main()
