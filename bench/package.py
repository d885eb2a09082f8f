"""Benchmark: `accessmedia package` on a 1-hour H.264/AAC recording with stream copy (target >= 50x real time).

The recording (320x180 test picture, tone) is made once and kept in bench/work/.
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

from accessmedia import media, subtitles  # noqa: E402
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


def main() -> None:
    rec = recording()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cues = [Cue(t + 0.5, t + 3.5, (f"Undertekst {t // 4}",)) for t in range(0, HOUR, 4)]
        subs = work / "subs"
        subs.mkdir()
        for lang in ("nb", "en", "ar", "pl", "uk"):
            (subs / f"hour.{lang}.vtt").write_text(subtitles.compose_vtt(cues), encoding="utf-8")
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "accessmedia.cli", "package", str(rec), "--subs", str(subs), "-o", str(work / "dist")],
                       check=True, stdout=subprocess.DEVNULL)
        seconds = time.monotonic() - started
    results = {
        "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "recording_seconds": HOUR, "languages": 5, "seconds": round(seconds, 2), "times_real_time": round(HOUR / seconds, 1),
    }
    print(json.dumps(results, indent=1))
    (ROOT / "bench" / "results-package.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    write_section("Packaging (bench/package.py)", [
        f"Measured {results['date']} on {results['machine']}. A 1-hour H.264/AAC recording (320x180), five subtitle "
        "languages, HLS with stream copy plus the upload mp4 (faststart), whole command including start-up:",
        "",
        f"{results['seconds']} s: **{results['times_real_time']}x real time** (target >= 50x).",
    ])


if __name__ == "__main__":
    main()
