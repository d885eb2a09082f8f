"""Benchmark: live captions of a stream simulated on loopback. ffmpeg (-re) sends king.mp3, the two NPSC clips and the
two-speaker sample one after the other as MPEG-TS over UDP; `accessmedia live udp://...` (the real command, default
speech model, nb->en with an Argos-size model made here) captions it. Measured with the benchmark's own clock from the
jsonl lines as they appear (polled every 20 ms):
  - latency of each committed Norwegian line: its arrival minus the wall time of its audio end (the start line's
    wall + the line's end), median and 95th percentile; of the first unstable text of each line likewise;
  - translation lines: arrival after the source line they translate (same start time);
  - committed Norwegian WER on king.mp3 against the offline WER of the same model on the same file;
  - lag: how far behind the stream the recogniser is at the end against after the first minute (from the record);
  - peak memory of the live command (sampled every 50 ms) and, with --minutes, memory after 5 minutes and at the end.
Between the sends the sender stops for 2 s: the UDP input ends and is opened again (the reconnect path).
The peer: whisper_streaming's published 3.3 s latency (GPU, large model).

Writes the live section of bench/RESULTS.md and bench/results-live.json; with --minutes, one long run (the soak:
lag and memory over the whole stream) to its own section and bench/results-live-soak.json.
Run: .venv/bin/python bench/live.py [--runs 3] | [--minutes 30]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.event import models_home  # noqa: E402
from bench.results import write_section  # noqa: E402
from tests.conftest import SAMPLE, eval_dir, wer  # noqa: E402

WORK = ROOT / "bench" / "work" / "live"
PEER_LATENCY = 3.3  # seconds: whisper_streaming's paper (Macháček et al. 2023), GPU, large-v2


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def send(files: list[Path], port: int, done: threading.Event, minutes: float, sent: list) -> None:
    from accessmedia.core import media

    length = {f: media.probe(f).duration for f in files}
    streamed = 0.0  # seconds of stream sent (not a clock: a paused machine does not shorten the stream)
    while True:
        for f in files:
            sent.append((f.name, time.time()))  # the benchmark's own clock: when this file's first second goes out
            subprocess.run([media.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-re", "-i", str(f), "-vn", "-c:a", "aac",
                            "-b:a", "96k", "-f", "mpegts", f"udp://127.0.0.1:{port}?pkt_size=1316"], check=True)
            time.sleep(2.0)  # the sender stops: the input drops, and is opened again
            streamed += length[f] + 2.0
        if streamed >= minutes * 60:
            break
    done.set()


def run(minutes: float, extra: Sequence[str] = ()) -> dict:
    import psutil

    home = models_home()
    out = WORK / "out"
    if out.exists():
        import shutil

        shutil.rmtree(out)
    ev = eval_dir()
    files = [ev / "king.mp3", ev / "npsc-short-3s.mp3", ev / "npsc-medium-8s.mp3", SAMPLE.parent / "panel.mp4"]
    port = free_port()
    env = {**os.environ, "ACCESSMEDIA_MODELS": str(home)}
    cmd = [sys.executable, "-m", "accessmedia.cli", "live", f"udp://127.0.0.1:{port}?timeout=1500000", "--to", "en", "-o", str(out),
           "--name", "stream", "--no-page", *extra]
    WORK.mkdir(parents=True, exist_ok=True)
    log = open(WORK / "live.log", "w", encoding="utf-8")  # a file, never a pipe nobody reads: a full pipe stops the command
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    record = out / "stream.live.jsonl"
    # the models load before the input is opened: wait until the command listens, then send
    time.sleep(8.0)
    done = threading.Event()
    sent: list = []
    sender = threading.Thread(target=send, args=(files, port, done, minutes, sent), daemon=True)
    sender.start()
    arrivals: dict[int, float] = {}
    peak, memory_at_5, seen = 0, None, 0
    memory_by_minute: list[int] = []  # MB at each minute since the first send (--minutes)
    top = psutil.Process(proc.pid)
    started = time.time()
    while not done.is_set() or time.time() - max(arrivals.values(), default=started) < 12:
        if record.exists():
            lines = record.read_text(encoding="utf-8").splitlines()
            for n in range(seen, len(lines)):
                arrivals[n] = time.time()
            seen = len(lines)
        try:
            peak = max(peak, top.memory_info().rss)
        except psutil.Error:
            pass
        if memory_at_5 is None and time.time() - started > 300:
            memory_at_5 = top.memory_info().rss
        if not done.is_set() and time.time() - started >= 60 * (len(memory_by_minute) + 1):
            try:
                memory_by_minute.append(round(top.memory_info().rss / 2**20))
            except psutil.Error:
                pass
        time.sleep(0.02)
        if done.is_set() and time.time() - started > minutes * 60 + 600:
            break
    proc.send_signal(2)  # Ctrl-C: the session ends, the record and the recording are kept
    try:
        proc.wait(timeout=120)
    except subprocess.TimeoutExpired:  # measured all the same; said in the results
        proc.kill()
        proc.wait()
    ended_by_ctrl_c = proc.returncode == 0
    log.close()
    lines = [json.loads(x) for x in record.read_text(encoding="utf-8").splitlines()]
    timed = [(arrivals.get(n, time.time()), x) for n, x in enumerate(lines) if "lang" in x]
    nb = [(t, x) for t, x in timed if x["lang"] == "nb" and x["final"]]
    # king.mp3 goes first: its stream time t was sent at sent[0] + t by the sender's clock (the receiver's start line
    # comes later, after ffmpeg probed the input, so it is not the reference); the later files only exercise the drops
    king_end, king_sent = 84.5, sent[0][1]
    king = [(t, x) for t, x in nb if x["end"] <= king_end]
    latency = [t - (king_sent + x["end"]) for t, x in king]
    tails = [(t, x) for t, x in timed if x["lang"] == "nb" and not x["final"]]
    first_tail = []
    for _t, x in king:  # when the line's first word was first shown, unstable, after it was said
        shown = [tt for tt, y in tails if y["end"] >= x["start"] + 0.3 and y["start"] <= x["start"] + 0.3]
        if shown:
            first_tail.append(min(shown) - (king_sent + x["start"] + 0.3))
    en = {x["start"]: t for t, x in timed if x["lang"] == "en"}
    translation = [en[x["start"]] - t for t, x in nb if x["start"] in en]
    said = " ".join(x["text"] for _t, x in king)
    live_wer = wer((ev / "king.ref.txt").read_text(encoding="utf-8"), said)
    offline = json.loads((ROOT / "bench" / "results-asr.json").read_text(encoding="utf-8"))["same_file"]["accessmedia"]["wer"]
    gaps = [x for x in lines if x.get("event") == "gap"]
    lag_lines = [t - (king_sent + x["end"]) for t, x in king]  # how far the captions are behind the sender
    after_minute = [v for (_t, x), v in zip(king, lag_lines) if x["end"] >= 60][:3]

    # over the whole stream (--minutes): each line's arrival after the wall time of its audio end by the receiver's clock
    # (the start line's wall + the line's end; after a drop, stream time is wall time), the first minute against the last
    start_wall = lines[0]["wall"]
    behind = [(x["end"], t - (start_wall + x["end"])) for t, x in nb]
    last_end = max((e for e, _v in behind), default=0.0)
    first_minute = [v for e, v in behind if 60 <= e < 120]
    last_minute = [v for e, v in behind if e >= last_end - 60]
    # a minute holds one or two files, whose lines lag differently (long sentences later): five minutes hold the
    # same mix of all four at both ends, so a trend is a trend and not a change of file
    first_five = [v for e, v in behind if 60 <= e < 360]
    last_five = [v for e, v in behind if e >= last_end - 300]

    def pct(values: list[float], p: float) -> float | None:
        return round(sorted(values)[min(len(values) - 1, int(p * len(values)))], 2) if values else None

    return {
        "machine": f"{platform.node() or 'vm'} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "minutes": minutes,
        "lines_nb": len(nb), "lines_en": len(en), "gaps_marked": len(gaps),
        "latency_median_s": round(statistics.median(latency), 2) if latency else None, "latency_p95_s": pct(latency, 0.95),
        "first_unstable_median_s": round(statistics.median(first_tail), 2) if first_tail else None,
        "translation_after_source_median_s": round(statistics.median(translation), 2) if translation else None,
        "wer_live_king": round(live_wer, 3), "wer_offline_king": offline, "wer_difference": round(live_wer - offline, 3),
        "lag_after_first_minute_s": round(statistics.median(after_minute), 2) if after_minute else None,
        "lag_at_end_s": round(lag_lines[-1], 2) if lag_lines else None,
        "peak_rss_mb": round(peak / 2**20), "rss_at_5_min_mb": round(memory_at_5 / 2**20) if memory_at_5 else None,
        "stream_minutes": round(last_end / 60, 1),
        "behind_second_minute_s": round(statistics.median(first_minute), 2) if first_minute else None,
        "behind_last_minute_s": round(statistics.median(last_minute), 2) if last_minute else None,
        "behind_minutes_1_to_6_s": round(statistics.median(first_five), 2) if first_five else None,
        "behind_last_5_minutes_s": round(statistics.median(last_five), 2) if last_five else None,
        "rss_by_minute_mb": memory_by_minute,
        "rss_end_over_5_min": round(memory_by_minute[-1] / memory_by_minute[4], 3) if len(memory_by_minute) > 5 else None,
        "live_options": " ".join(extra), "peer_latency_s": PEER_LATENCY, "ended_by_ctrl_c": ended_by_ctrl_c,
        "latency_ratio_vs_peer": round(statistics.median(latency) / PEER_LATENCY, 2) if latency else None,
        # each king.mp3 line: its audio start and end, its latency, its length in characters (where latency goes)
        "king_lines": [[x["start"], x["end"], round(v, 2), len(x["text"])] for (_t, x), v in zip(king, latency)],
    }


def soak(minutes: float) -> None:
    """One long run (--minutes): never behind real time (the lines of the last five minutes no later than those of
    minutes 1 to 6 + 2 s), memory flat (at the end within 1.2x of 5 minutes). Its own section and results file."""
    r = run(minutes)
    (ROOT / "bench" / "results-live-soak.json").write_text(json.dumps(r, indent=1) + "\n", encoding="utf-8")
    write_soak(r)


def write_soak(r: dict) -> None:
    minutes = r["minutes"]
    kept_up = r["behind_last_5_minutes_s"] is not None and r["behind_last_5_minutes_s"] <= r["behind_minutes_1_to_6_s"] + 2.0
    flat = r["rss_end_over_5_min"] is not None and r["rss_end_over_5_min"] <= 1.2
    whole = r["stream_minutes"] >= 0.95 * minutes  # captions to the end: a session that stalls keeps no pace to measure
    write_section(f"Live captions over {minutes:g} minutes (bench/live.py --minutes {minutes:g})", [
        f"{r['machine']}, {r['date']}; the four files sent again and again over UDP for {minutes:g} minutes, "
        f"with a 2 s pause after each ({r['gaps_marked']} pauses and drops marked), nb->en as above.",
        "",
        "| measure | accessmedia | target | met |",
        "|---|---|---|---|",
        f"| stream captioned to its end | {r['stream_minutes']} of {minutes:g} minutes | all | {'yes' if whole else 'no'} |",
        f"| lines behind their audio, minutes 1-6 / last 5 minutes (median) | {r['behind_minutes_1_to_6_s']} s / "
        f"{r['behind_last_5_minutes_s']} s | last ≤ first + 2 s | {'yes' if kept_up else 'no'} |",
        f"| the same, second minute / last minute (one or two files each) | {r['behind_second_minute_s']} s / "
        f"{r['behind_last_minute_s']} s | | |",
        f"| memory at 5 minutes / at the end | {r['rss_by_minute_mb'][4] if len(r['rss_by_minute_mb']) > 4 else None} MB / "
        f"{r['rss_by_minute_mb'][-1] if r['rss_by_minute_mb'] else None} MB (x{r['rss_end_over_5_min']}) | ≤ 1.2x | {'yes' if flat else 'no'} |",
        f"| latency of king.mp3's lines (first send), median / p95 | {r['latency_median_s']} s / {r['latency_p95_s']} s | | |",
        f"| lines: Norwegian / English | {r['lines_nb']} / {r['lines_en']} | | |",
        "",
        f"Memory each minute (MB): {', '.join(map(str, r['rss_by_minute_mb']))}.",
    ])
    print(json.dumps(r, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=0.0, help="keep sending the files for this long (0: once); one run")
    parser.add_argument("--runs", type=int, default=3, help="runs; each figure is given as median (min-max)")
    parser.add_argument("--from-json", help="write the section again from this results file (no run)")
    parser.add_argument("--live-options", default="", help="more options for `accessmedia live` (e.g. \"--beam-size 3\"), "
                        "said in the results")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if args.minutes:
        soak(args.minutes)
        return
    if args.from_json:  # the section written again from a results file kept from an earlier run
        result = json.loads(Path(args.from_json).read_text(encoding="utf-8"))
        write(result, result["each_run"])
        return
    extra = args.live_options.split()
    runs = [run(args.minutes, extra) for _ in range(args.runs)]
    result = {**runs[-1], "runs": len(runs), "each_run": runs}
    for key, value in runs[-1].items():
        values = [x[key] for x in runs]
        if isinstance(value, (int, float)) and key != "minutes" and None not in values:
            result[key] = statistics.median(values)
            result[key + "_min"], result[key + "_max"] = min(values), max(values)
    (ROOT / "bench" / "results-live.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    write(result, runs)
    print(json.dumps(result, indent=1))


def write(result: dict, runs: list[dict]) -> None:
    class Spread(dict):  # r['x'] in the table: "median (min-max)" over the runs
        def __getitem__(self, key):
            value = result[key]
            if f"{key}_min" in result and result[key + "_min"] != result[key + "_max"]:
                return f"{round(value, 3)} ({result[key + '_min']}-{result[key + '_max']})"
            return value

    r = Spread()
    write_section("Live captions (bench/live.py)", [
        f"{r['machine']}, {r['date']}; a UDP MPEG-TS stream sent with ffmpeg -re (king.mp3, the NPSC clips, the panel "
        f"sample, a 2 s drop between them); default speech model, nb->en with an Argos-size model"
        f"{'; live options: ' + r['live_options'] if r['live_options'] else ''}.",
        "",
        "| measure | accessmedia | target | peer |",
        "|---|---|---|---|",
        f"| latency of committed Norwegian lines (king.mp3, by the sender's clock), median | {r['latency_median_s']} s | ≤ 3.0 s | whisper_streaming 3.3 s (GPU, large-v2); ratio {r['latency_ratio_vs_peer']} |",
        f"| latency, 95th percentile | {r['latency_p95_s']} s | ≤ 5.0 s | |",
        f"| first unstable text, median | {r['first_unstable_median_s']} s | ≤ 1.5 s | |",
        f"| translation after its source line, median | {r['translation_after_source_median_s']} s | ≤ 1.5 s | |",
        f"| committed WER on king.mp3 | {r['wer_live_king']} (offline {r['wer_offline_king']}, +{r['wer_difference']}) | ≤ offline + 0.05 | |",
        f"| lag after the first minute / at the end of king.mp3 | {r['lag_after_first_minute_s']} s / {r['lag_at_end_s']} s | end ≤ first minute + 2 s (30 min) | |",
        f"| peak memory | {r['peak_rss_mb']} MB (at 5 min: {r['rss_at_5_min_mb']}) | at 30 min ≤ 1.2 × at 5 min | |",
        f"| lines: Norwegian / English / gaps marked | {r['lines_nb']} / {r['lines_en']} / {r['gaps_marked']} | | |",
        "",
        f"Minutes sent: {r['minutes'] or 'the files once (about 3 minutes)'}; {len(runs)} runs, each figure the median "
        "(min-max).",
    ])


if __name__ == "__main__":
    main()
