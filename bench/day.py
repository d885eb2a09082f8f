"""Benchmark: a whole conference day. An event of RECORDINGS recordings of MINUTES each (default 8 x 60: a day),
made from the shared eval clips looped (king.mp3, the two NPSC speakers: three voices known by construction,
each pass at another level with a little noise, as bench/speakers.py makes them); half of them with a still
320x180 video track (H.264 + AAC .mp4), half sound alone (AAC .m4a). Every stage from nothing with the default
speech model: transcription, speakers, cues, two languages (en, ar) with the benchmark's translation model
(bench/translate.py's: Argos-size, 6 layers, d_model 512, int8, with a subword vocabulary, so that a sentence is
about as many tokens as with a real model; `--translation char` takes bench/event.py's character-level packages
instead, whose sentences are ~3x as many tokens), packaging; with 1 and with 2 workers, each the real `accessmedia process event.toml`
command in a process of its own; then a rerun with nothing to do.

Reported: wall time, per stage (summed over the recordings, from report.json), peak memory of all processes
(psutil, every 50 ms), speakers found per recording (three by construction), and the time of the same work as
the sum of the single-stage benchmarks' rates (bench/results-asr.json: transcription; results-package.json:
packaging), so that what only shows up at length is seen.

Targets (issue 26): RECORDINGS x MINUTES = 8 hours processed in at most 60 minutes on 2 cores (2 workers or 1,
whichever is faster), peak memory at most 3 GB, a rerun under 5 s.
Writes a section of bench/RESULTS.md and bench/results-day[-FLAGS].json per set of options.
Run: .venv/bin/python bench/day.py [--recordings 8] [--minutes 60] [--workers 1,2] [--translation subword|char]
     [--sound-only] [--from-json bench/results-day.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.event import measure, models_home  # noqa: E402
from bench.results import write_section  # noqa: E402

WORK = ROOT / "bench" / "work" / "day"
SR = 16000


def recordings(count: int, minutes: float, sound_only: bool = False) -> list[Path]:
    """The day's recordings, made once per length and kept in bench/work/day; every other one with video
    (none with `sound_only`: the issue's hour of sound alone is `--recordings 1 --minutes 60 --sound-only`)."""
    import numpy as np

    from accessmedia.core import media
    from bench.speakers import looped

    folder = WORK / f"{count}x{minutes:g}{'-sound' if sound_only else ''}"
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for n in range(count):
        video = n % 2 == 0 and not sound_only
        path = folder / f"okt-{n + 1}.{'mp4' if video else 'm4a'}"
        out.append(path)
        if path.exists():
            continue
        part = path.with_name(f"{path.stem}.part{path.suffix}")
        audio, _, _ = looped(minutes)
        audio = np.roll(audio, n * SR * 7)  # each recording starts at another point of the loop
        raw = folder / "audio.f32"
        audio.astype("<f4").tofile(raw)
        picture = ["-f", "lavfi", "-i", f"color=c=0x1d3557:s=320x180:r=1:d={minutes * 60}"] if video else []
        codecs = (["-map", "1:v", "-map", "0:a", "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-pix_fmt", "yuv420p"]
                  if video else [])
        subprocess.run([media.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "f32le", "-ar", str(SR), "-ac", "1",
                        "-i", str(raw), *picture, *codecs, "-c:a", "aac", "-b:a", "96k", "-shortest", str(part)], check=True)
        raw.unlink()
        part.replace(path)  # whole or not there: a run stopped half-way never leaves a file that looks made
    return out


CLIPS = ("king", "npsc-medium-8s", "npsc-short-3s")


def day_models(translation: str) -> Path:
    """The models folder: bench/event.py's (speech, speakers; character-level translation packages) for "char";
    for "subword", the same speech and speaker models with nb->en and en->ar packages whose BPE vocabulary is
    learnt from the clips' reference text (and its English), as bench/translate.py makes its model."""
    home = models_home()
    if translation == "char":
        return home
    from bench.speakers import EVAL  # the folder the clips' audio comes from: their text from the same one
    from tests.argos_toy import build_package, expected

    own = WORK / "models-subword"
    for kind in ("asr", "speaker", "segmentation"):
        (own / kind).mkdir(parents=True, exist_ok=True)
        for installed in (home / kind).glob("*"):
            if not (own / kind / installed.name).exists():
                (own / kind / installed.name).symlink_to(installed.resolve(), target_is_directory=True)
    corpus = "\n".join((EVAL / f"{name}.ref.txt").read_text(encoding="utf-8").strip() for name in CLIPS)
    env = {**os.environ, "ACCESSMEDIA_MODELS": str(own)}
    for src, tgt, text in (("nb", "en", corpus), ("en", "ar", expected(corpus, ("nb", "en")))):
        if not (own / "translate" / f"{src}-{tgt}").exists():
            package = build_package(WORK / f"subword-{src}_{tgt}.argosmodel", src, tgt, size="subword", corpus=text)
            subprocess.run([sys.executable, "-m", "accessmedia.cli", "models", "add", str(package)], env=env, check=True,
                           stdout=subprocess.DEVNULL)
    return own


def tokens_per_word(models: Path, sample: Path) -> dict[str, float]:
    """Tokens per word of a transcript made in the run, by the nb->en package's vocabulary and, for
    scale, by Whisper's multilingual tokenizer (a vocabulary trained on real text)."""
    import sentencepiece as spm
    from tokenizers import Tokenizer

    segments = json.loads(sample.read_text(encoding="utf-8"))["segments"]
    words = [w for seg in segments for w in seg["words"]]
    text = " ".join(w["text"].strip() for w in words)
    sp = spm.SentencePieceProcessor(model_file=str(models / "translate" / "nb-en" / "sentencepiece.model"))
    whisper = Tokenizer.from_file(str(next((models / "asr").glob("*")).resolve() / "tokenizer.json"))
    return {"package": round(len(sp.encode(text)) / len(words), 2),
            "whisper": round(len(whisper.encode(" " + text).ids) / len(words), 2)}


def manifest(folder: Path, files: list[Path]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ['[event]', 'title = "Konferansedag"', 'languages = ["en", "ar"]', 'output = "ut"', ""]
    for path in files:
        lines += ["[[recording]]", f'file = "{path.resolve().as_posix()}"', f'title = "{path.stem}"', ""]
    (folder / "event.toml").write_text("\n".join(lines), encoding="utf-8")
    return folder / "event.toml"


def stage_sums(report: dict) -> dict[str, float]:
    sums: dict[str, float] = {}
    for s in report["sessions"]:
        for st in s["stages"]:
            if st["status"] == "ran":
                sums[st["stage"]] = round(sums.get(st["stage"], 0.0) + st["seconds"], 1)
    return sums


def single_stage_estimate(audio_hours: float) -> dict[str, float]:
    """The same work at the single-stage benchmarks' rates: transcription at the 120-minute rate of
    bench/asr.py (beam 1), packaging at bench/package.py's hour of sound (m4a) and hour of video, half each."""
    asr = json.loads((ROOT / "bench" / "results-asr.json").read_text(encoding="utf-8"))
    pkg = json.loads((ROOT / "bench" / "results-package.json").read_text(encoding="utf-8"))
    long = asr.get("long", {}).get("accessmedia 120 min")  # beam 1, as the long runs are measured there
    per_hour_asr = long["seconds"] / 2 if long else None
    sound = pkg.get("sound", {}).get("m4a", {}).get("seconds")
    video = pkg.get("seconds")
    return {"transcribe": round(per_hour_asr * audio_hours, 1) if per_hour_asr else None,
            "package": round(((sound or 0) + (video or 0)) / 2 * audio_hours, 1) if sound and video else None}


def sentence_counts(report: dict) -> dict[str, int]:
    """Sentence translations asked for, sent to a model and found in the cache, summed over the recordings
    (process.json's translate record): the loop repeats its sentences, so the cache has more than on a real day."""
    sentences = {"asked": 0, "translated": 0, "cached": 0}
    for s in report["sessions"]:
        made = json.loads((Path(s["folder"]) / "process.json").read_text(encoding="utf-8"))["stages"]["translate"]
        for k in sentences:
            sentences[k] += made.get("sentences", {}).get(k, 0)
    return sentences


def run(args: argparse.Namespace) -> dict:
    """Every configuration measured; the results as bench/results-day*.json keeps them."""
    files = recordings(args.recordings, args.minutes, args.sound_only)
    models = day_models(args.translation)
    env = {**os.environ, "ACCESSMEDIA_MODELS": str(models)}
    hours = args.recordings * args.minutes / 60
    rows, rerun = {}, None
    for workers in [int(w) for w in args.workers.split(",")]:
        folder = WORK / f"run-{workers}"
        shutil.rmtree(folder, ignore_errors=True)
        event = manifest(folder, files)
        cmd = [sys.executable, "-m", "accessmedia.cli", "process", str(event), "--workers", str(workers), "-q"]
        seconds, peak, _ = measure(cmd, env)
        report = json.loads((folder / "ut" / "report.json").read_text(encoding="utf-8"))
        found = [len(s.get("speakers", [])) for s in report["sessions"]]
        rows[str(workers)] = {"seconds": round(seconds, 1), "peak_rss_mb": round(peak), "stages": stage_sums(report),
                              "speakers_found": found, "sentences": sentence_counts(report),
                              "words_per_minute": round(60 * sum(x["words"] for x in report["sessions"])
                                                        / sum(x["duration"] for x in report["sessions"]), 1),
                              "failed": [s["name"] for s in report["sessions"] if s["error"]]}
        print(workers, rows[str(workers)], flush=True)
        if rerun is None:
            again, peak_again, out = measure(cmd, env)
            rerun = {"seconds": round(again, 2), "peak_rss_mb": round(peak_again), "nothing_to_do": out.count("ran nothing") == len(files)}
            print("rerun", rerun, flush=True)
    best = min(rows, key=lambda w: rows[w]["seconds"])
    return {
        "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "cpu": cpu_name(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "recordings": args.recordings, "minutes_each": args.minutes, "audio_hours": hours,
        "sound_only": args.sound_only, "translation_models": args.translation,
        "tokens_per_word": tokens_per_word(models, WORK / f"run-{best}" / "ut" / files[0].stem / f"{files[0].stem}.transcript.json"),
        "runs": rows, "rerun": rerun, "best_workers": best, "single_stage_estimate": single_stage_estimate(hours),
    }


def cpu_name() -> str:
    """The processor's model name (/proc/cpuinfo), or the platform's word for it."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def flags_of(results: dict) -> str:
    """The options that name a set of results (none: the day itself)."""
    flags = [f"--recordings {results['recordings']}" if results["recordings"] != 8 else "",
             f"--minutes {results['minutes_each']:g}" if results["minutes_each"] != 60 else "",
             "--sound-only" if results.get("sound_only") else "",
             "--translation char" if results["translation_models"] == "char" else ""]
    return " ".join(f for f in flags if f)


def write(results: dict) -> None:
    """The section of bench/RESULTS.md for this set of options."""
    flags = flags_of(results)
    hour = results.get("sound_only") and results["recordings"] == 1
    rows, rerun, estimate, tokens = results["runs"], results["rerun"], results["single_stage_estimate"], results["tokens_per_word"]
    hours, best = results["audio_hours"], str(results["best_workers"])
    b = rows[best]
    minutes_per_hour = b["seconds"] / 60 / hours
    lines = [
        f"Measured {results['date']} on {results['machine']}" + (f", {results['cpu']}" if results.get("cpu") else "")
        + f". {results['recordings']} "
        f"recording{'s' if results['recordings'] != 1 else ''} of {results['minutes_each']:g} minutes ({hours:.2f} hours of audio; the shared clips looped, three voices each; "
        + ("sound alone as AAC" if results.get("sound_only") else "half with a still 320x180 video, half sound alone")
        + "), languages en and ar (Arabic through English) with the benchmark's Argos-size models, default speech "
        "model, every stage from nothing; the whole command in a process of its own; peak memory of all its processes. "
        + (f"Translation packages with a subword vocabulary (bench/translate.py's kind): {tokens['package']} tokens a word "
           f"of the transcript, Whisper's multilingual tokenizer {tokens['whisper']}." if results["translation_models"] == "subword" else
           f"Character-level translation packages (bench/event.py's): {tokens['package']} tokens a word of the transcript, "
           f"Whisper's multilingual tokenizer {tokens['whisper']}, so translation costs more than with a real model."),
        "",
        "| workers | seconds | minutes per hour of audio | peak RSS (MB) | " + " | ".join(sorted(b["stages"])) + " |",
        "|---|---|---|---|" + "---|" * len(b["stages"]),
    ]
    for w, r in rows.items():
        lines.append(f"| {w} | {r['seconds']} | {r['seconds'] / 60 / hours:.1f} | {r['peak_rss_mb']} | "
                     + " | ".join(str(r["stages"].get(k, "")) for k in sorted(b["stages"])) + " |")
    day = minutes_per_hour * 8
    lines += [
        "",
        (f"The hour took {b['seconds']:.0f} s ({minutes_per_hour:.1f} minutes) with {best} worker(s); the day has its "
         "own section, \"A conference day (bench/day.py)\". Peak memory " if hour else
         f"Fastest: {best} worker(s), **{minutes_per_hour:.1f} minutes per hour of audio**, so a day of 8 hours in "
         f"**{day:.0f} minutes** at this rate (target: 60; {'met' if day <= 60 else 'not met'}). Peak memory ")
        + f"{b['peak_rss_mb']} MB (target 3,000: {'met' if b['peak_rss_mb'] <= 3000 else 'not met'}). A rerun with "
        f"nothing to do: {rerun['seconds']} s (target 5 s: {'met' if rerun['seconds'] < 5 else 'not met'}). Speakers found "
        f"per recording (three by construction): {b['speakers_found']}. Stage seconds are summed over the recordings "
        "(with 2 workers they overlap in time).",
        f"The single-stage benchmarks' rates for the same audio: transcription {estimate['transcribe']} s at bench/asr.py's "
        f"long-recording rate, which decodes with beam 1 (here {b['stages'].get('transcribe')} s with process's beam 5), "
        f"packaging {estimate['package']} s (here {b['stages'].get('package')} s).",
    ]
    if b.get("words_per_minute"):
        lines.append(f"The loop's speech: {b['words_per_minute']} words a minute transcribed (king.mp3 is a slow speech); "
                     "faster speech has more words to decode and translate in the same hour.")
    one = rows.get("1")
    if one and one["stages"].get("transcribe") and one["stages"].get("package"):
        st = one["stages"]
        lines.append(f"With 1 worker: the whole run {one['seconds'] / st['transcribe']:.2f}x transcription alone (target 1.3x), "
                     f"speakers {st.get('speakers', 0) / st['transcribe']:.1%} of transcription (target 15%), packaging "
                     f"{hours * 3600 / st['package']:.0f}x real time (target 100x).")
    n = b.get("sentences", {})
    if n.get("translated") and n.get("asked"):
        # en, and ar through English with its nb->en step from the cache: on a day that never repeats a sentence,
        # one model translation for each sentence asked for
        more = b["stages"].get("translate", 0) * (n["asked"] / n["translated"] - 1) / int(best)
        lines.append(f"Translation: {n['asked']} sentence translations asked for, {n['translated']} sent to a model, "
                     f"{n['cached']} steps from the cache. The loop repeats its sentences; on a day that repeats none, "
                     f"about {n['asked']} would go to a model, about {max(more, 0):.0f} s more here "
                     + ("(an estimate, not measured)." if hour else
                        f"({(b['seconds'] + max(more, 0)) / 60 / hours * 8:.0f} minutes for 8 hours: an estimate, not measured)."))
    if hours < 8 and not hour:
        lines.append(f"Measured on {hours:.2f} hours, not the day's 8: the rate per hour of audio is what the day figure "
                     "comes from.")
    write_section(f"{'One hour of sound, end to end' if hour else 'A conference day'} (bench/day.py{' ' + flags if flags else ''})",
                  lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recordings", type=int, default=8)
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--translation", choices=("subword", "char"), default="subword")
    parser.add_argument("--sound-only", action="store_true", help="no recording with video")
    parser.add_argument("--from-json", type=Path, help="write the RESULTS.md section again from a kept results file")
    args = parser.parse_args()
    if args.from_json:
        return write(json.loads(args.from_json.read_text(encoding="utf-8")))
    results = run(args)
    flags = flags_of(results)
    name = "day" + ("-" + flags.replace("--", "").replace(" ", "-") if flags else "")
    (ROOT / "bench" / f"results-{name}.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    write(results)


if __name__ == "__main__":
    main()
