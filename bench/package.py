"""Benchmark: `accessmedia package` on a 1-hour H.264/AAC recording with stream copy (target >= 50x real time),
and on one hour of sound alone, as AAC (.m4a) and as MP3 (the upload mp4 gets a still picture; target for
the .m4a >= 100x real time, issue 26). The earlier way (the poster looped at its default 25 frames a second
and encoded at 2, the sound encoded twice) is measured beside it on the same .m4a, the peer in the same run.

The recordings (320x180 test picture, tone; the shared king.mp3 looped) are made once and kept in bench/work/.
Writes the packaging section of bench/RESULTS.md and bench/results-package.json.
Run: .venv/bin/python bench/package.py
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from accessmedia.core import media  # noqa: E402
from accessmedia.subtitles import formats as subtitles  # noqa: E402
from accessmedia.subtitles.cue import Cue  # noqa: E402
from bench.results import write_section  # noqa: E402

HOUR = 3600


def recording() -> Path:
    path = ROOT / "bench" / "work" / "hour.mp4"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [media.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
             "-f", "lavfi", "-i", f"testsrc=s=320x180:r=25:d={HOUR}", "-f", "lavfi", "-i", f"sine=f=440:d={HOUR}",
             "-c:v", "libx264", "-preset", "ultrafast", "-g", "150", "-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart",
             str(path.with_suffix(".part.mp4"))],
            check=True,
        )
        path.with_suffix(".part.mp4").rename(path)
    return path


def sound_hour(suffix: str) -> Path:
    """One hour of the shared king.mp3 looped, as AAC (.m4a) or MP3."""
    path = ROOT / "bench" / "work" / f"hour-sound{suffix}"
    if not path.exists():
        king = Path(os.environ.get("ACCESSMEDIA_EVAL", ROOT.parent / "shared" / "eval")) / "king.mp3"
        codec = ["-c:a", "aac", "-b:a", "128k"] if suffix == ".m4a" else ["-c:a", "libmp3lame", "-b:a", "128k"]
        part = path.with_name(path.stem + ".part" + suffix)
        subprocess.run([media.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-stream_loop", "-1", "-i", str(king),
                        "-t", str(HOUR), *codec, str(part)], check=True)
        part.rename(path)
    return path


def package(rec: Path, work: Path, languages: tuple[str, ...]) -> float:
    cues = [Cue(t + 0.5, t + 3.5, (f"Undertekst {t // 4}",)) for t in range(0, HOUR, 4)]
    subs = work / f"subs-{rec.name}"
    subs.mkdir()
    for lang in languages:
        (subs / f"{rec.stem}.{lang}.vtt").write_text(subtitles.compose_vtt(cues), encoding="utf-8")
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "accessmedia.cli", "package", str(rec), "--subs", str(subs), "-o", str(work / f"dist-{rec.name}")],
                   check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - started


EARLIER = 600  # seconds of the hour the earlier way is timed on (at about 5x real time, the whole hour takes 12 minutes)


def earlier_way(rec: Path, work: Path) -> float:
    """What package did for sound alone before issue 26, its two ffmpeg runs, on the first EARLIER seconds: the HLS
    rendition (AAC copied), and the upload mp4 from the poster looped at the image default of 25 frames a second,
    encoded at 2, the sound encoded again."""
    exe = media.ffmpeg_exe()
    poster = work / "poster.png"
    subprocess.run([exe, "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=0x1d3557:s=1280x720:d=1", "-frames:v", "1", str(poster)], check=True)
    (work / "earlier").mkdir()
    started = time.monotonic()
    subprocess.run([exe, "-v", "error", "-y", "-t", str(EARLIER), "-i", str(rec), "-map", "0:a:0", "-c", "copy", "-f", "hls", "-hls_time", "6",
                    "-hls_playlist_type", "vod", "-hls_segment_filename", str(work / "earlier" / "seg%05d.ts"),
                    str(work / "earlier" / "index.m3u8")], check=True)
    subprocess.run([exe, "-v", "error", "-y", "-loop", "1", "-i", str(poster), "-t", str(EARLIER), "-i", str(rec), "-map", "0:v", "-map", "1:a", "-shortest",
                    "-c:v", "libx264", "-tune", "stillimage", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-r", "2", "-c:a", "aac",
                    "-b:a", "128k", "-movflags", "+faststart", str(work / "earlier.mp4")], check=True)
    return time.monotonic() - started


def main() -> None:
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rows["video"] = package(recording(), work, ("nb", "en", "ar", "pl", "uk"))
        rows["m4a"] = package(sound_hour(".m4a"), work, ("nb", "en", "ar"))
        rows["mp3"] = package(sound_hour(".mp3"), work, ("nb", "en", "ar"))
        rows["m4a_earlier"] = earlier_way(sound_hour(".m4a"), work)
    results = {
        "machine": f"{platform.node() and 'vm'} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "recording_seconds": HOUR, "languages": 5, "seconds": round(rows["video"], 2), "times_real_time": round(HOUR / rows["video"], 1),
        "sound": {k: {"seconds": round(v, 2), "times_real_time": round((EARLIER if k == "m4a_earlier" else HOUR) / v, 1)}
                  for k, v in rows.items() if k != "video"},
    }
    print(json.dumps(results, indent=1))
    (ROOT / "bench" / "results-package.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    snd = results["sound"]
    write_section("Packaging (bench/package.py)", [
        f"Measured {results['date']} on {results['machine']}. A 1-hour H.264/AAC recording (320x180), five subtitle "
        "languages, HLS with stream copy plus the upload mp4 (faststart), whole command including start-up:",
        "",
        f"{results['seconds']} s: **{results['times_real_time']}x real time** (target >= 50x).",
        "",
        "One hour of sound alone (king.mp3 looped), three subtitle languages, whole command: HLS audio rendition, upload mp4 "
        "with a still picture (encoded once as ten seconds and repeated by stream copy), the sound copied when it is AAC:",
        "",
        "| recording | seconds | x real time | target |",
        "|---|---|---|---|",
        f"| .m4a (AAC) | {snd['m4a']['seconds']} | **{snd['m4a']['times_real_time']}x** | >= 100x |",
        f"| .mp3 (sound encoded to AAC once) | {snd['mp3']['seconds']} | {snd['mp3']['times_real_time']}x | |",
        f"| .m4a, the earlier way (poster encoded at 2 frames a second from 25 read, sound encoded again; ffmpeg alone, first {EARLIER // 60} minutes) | "
        f"{snd['m4a_earlier']['seconds']} | {snd['m4a_earlier']['times_real_time']}x | |",
        "",
        f"Ratio, the same .m4a, in real-time factors: **{snd['m4a']['times_real_time'] / snd['m4a_earlier']['times_real_time']:.0f}x faster** than the earlier way.",
    ])


if __name__ == "__main__":
    main()
