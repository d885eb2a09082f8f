"""Benchmark: are the cues readable in their time? On real Norwegian speech and on fast speech.

Materials (the default speech model, speakers on, each transcribed once and kept in bench/work/cues):
  - king.mp3: a slow speech (the control: it must not change);
  - turns: King Harald and the two NPSC speakers taking turns (bench/speakers.py's material: labels at each change);
  - panel.mp4: the bundled two-voice sample;
  - fast speech: the same three sped up 1.3x with ffmpeg's atempo (pitch kept), a fair stand-in for a press
    conference's pace.
Each transcript is cut into cues four ways: "before" (the earlier rules: no lead-in, no borrowing, verbatim),
"timing" (lead-in and borrowing from neighbours within the sync tolerance, verbatim), "light" and "full"
(condensation). Measured: cues within 17 and within 15 characters per second, cues meeting every hard rule, and
content words kept: words of the transcript that are neither stop words (stopwordsiso's Norwegian list) nor
hesitations, counted in the cues (multiset, by count).
Targets on fast speech: >= 90% within 17 cps, >= 75% within 15, hard rules 100%, >= 97% of content words; king as before.
Writes the cues section of bench/RESULTS.md and bench/results-cues.json. Run: .venv/bin/python bench/cues.py
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
from bench.speakers import EVAL, norwegian_turns, transcribe_with_speakers, write_wav  # noqa: E402

WORK = ROOT / "bench" / "work" / "cues"
TEMPO = 1.3
SETTINGS = {
    "before": dict(lead_in=0.0, sync_tolerance=0.0, comfortable_cps=17.0, condensation="none"),
    "timing": dict(condensation="none"),
    "light": dict(condensation="light"),
    "full": dict(condensation="full"),
}


def sources() -> dict[str, Path]:
    """The recordings as 16 kHz WAV, at their own pace and sped up."""
    from accessmedia.core import media

    WORK.mkdir(parents=True, exist_ok=True)
    turns = WORK / "turns.wav"
    if not turns.exists():
        write_wav(turns, norwegian_turns()[0])
    plain = {"king": EVAL / "king.mp3", "turns": turns, "panel": ROOT / "samples" / "panel.mp4"}
    out = {}
    for name, path in plain.items():
        for tempo in (1.0, TEMPO):
            target = WORK / (f"{name}.wav" if tempo == 1.0 else f"{name}-fast.wav")
            if target != path and not target.exists():
                subprocess.run([media.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(path), "-vn",
                                "-ac", "1", "-ar", "16000", "-af", f"atempo={tempo}", str(target)], check=True)
            out[target.stem] = target
    return out


def transcript_of(wav: Path):
    from accessmedia.core.transcript import Transcript

    cached = WORK / f"{wav.stem}.transcript.json"
    if cached.exists():
        return Transcript.from_json(cached.read_text(encoding="utf-8"))
    run = transcribe_with_speakers(wav, WORK / "runs" / wav.stem)
    cached.write_text(run["transcript"].to_json(), encoding="utf-8")
    return run["transcript"]


def content(words: list[str], stop: set[str], hesitations: set[str]) -> Counter:
    from accessmedia.subtitles.condense import bare

    return Counter(w for w in map(bare, words) if w and w not in stop and w not in hesitations)


def measure(transcript, profile) -> dict:
    from accessmedia.subtitles import style
    from accessmedia.subtitles.markup import plain
    from accessmedia.subtitles.segmenter import build_from_transcript

    import stopwordsiso

    built = build_from_transcript(transcript, profile)
    cues = built.cues
    report = style.check(cues, profile)
    rates = [style.char_count(c.lines) / (c.end - c.start) for c in cues]
    stop = set(stopwordsiso.stopwords("no"))
    hesitations = set(profile.lexicon.fillers)
    said = content([w.text for w in transcript.words], stop, hesitations)
    shown = content(" ".join(plain(line) for c in cues for line in c.lines).split(), stop, hesitations)
    kept = sum(min(n, shown[w]) for w, n in said.items()) / max(1, sum(said.values()))
    return {
        "cues": len(cues),
        "within_17": round(sum(r <= 17.0 + 1e-6 for r in rates) / max(1, len(rates)), 3),
        "within_15": round(sum(r <= 15.0 + 1e-6 for r in rates) / max(1, len(rates)), 3),
        "hard_rules": round(min(report.share_ok(r) for r in style.HARD_RULES), 3),
        "content_words_kept": round(kept, 3),
        "condensed_cues": len(built.omissions),
        "words_left_out": sum(len(o.left_out) for o in built.omissions),
        "speakers": len({w.speaker for w in transcript.words if w.speaker}),
    }


def main() -> None:
    argparse.ArgumentParser(description=__doc__.split("\n")[0]).parse_args()
    from accessmedia.subtitles.style import profile_from

    base = profile_from("nb")
    results: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                     "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "tempo": TEMPO, "materials": {}}
    for name, wav in sources().items():
        transcript = transcript_of(wav)
        results["materials"][name] = {way: measure(transcript, replace(base, **change)) for way, change in SETTINGS.items()}
        results["materials"][name]["seconds"] = round(transcript.duration, 1)
        print(name, json.dumps(results["materials"][name]["full"]), flush=True)
    fast = [m for n, m in results["materials"].items() if n.endswith("-fast")]

    def pooled(way: str, key: str) -> float:
        total = sum(m[way]["cues"] for m in fast)
        return round(sum(m[way][key] * m[way]["cues"] for m in fast) / max(1, total), 3)

    results["fast_pooled"] = {way: {k: pooled(way, k) for k in ("within_17", "within_15", "hard_rules", "content_words_kept")}
                              for way in SETTINGS}
    (ROOT / "bench" / "results-cues.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    write_markdown(results)


def write_markdown(r: dict) -> None:
    lines = [f"{r['machine']}, {r['date']}. Fast speech = the recording sped up {r['tempo']}x (atempo). "
             "Each cell: cues within 17 cps / within 15 cps / hard rules met / content words kept.", "",
             "| material | seconds | before (earlier rules) | timing alone | light condensation | full condensation (default) |",
             "|---|---|---|---|---|---|"]
    for name, m in r["materials"].items():
        cells = [f"{m[w]['within_17']:.0%} / {m[w]['within_15']:.0%} / {m[w]['hard_rules']:.0%} / {m[w]['content_words_kept']:.1%}"
                 for w in SETTINGS]
        lines.append(f"| {name} ({m['full']['cues']} cues, {m['full']['speakers']} speakers) | {m['seconds']} | " + " | ".join(cells) + " |")
    p = r["fast_pooled"]
    cells = [f"{p[w]['within_17']:.0%} / {p[w]['within_15']:.0%} / {p[w]['hard_rules']:.0%} / {p[w]['content_words_kept']:.1%}"
             for w in SETTINGS]
    lines += ["| **fast speech, pooled** | | " + " | ".join(cells) + " |", "",
              "Targets on fast speech: at least 90% within 17 cps and 75% within 15, hard rules 100%, at least 97% of "
              "content words kept; king.mp3 as before."]
    write_section("Cues: reading speed (bench/cues.py)", lines)


if __name__ == "__main__":
    main()
