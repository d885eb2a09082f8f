"""The run report, JSON and HTML: per recording its duration, time per stage, cue conformance,
low-confidence words, suspected hallucinations removed, languages produced and missing, warnings.

Built from what is on disk after the run (process.json, the transcript, the
subtitle files, NAME.translations.json), so a recording whose stages were
all up to date is reported as fully as one processed in this run.
"""

from __future__ import annotations

import html
import json
import os
import time
from pathlib import Path
from typing import Sequence
from urllib.parse import quote

from accessmedia.core import languages
from accessmedia.editing import revisions
from accessmedia.speakers import record as speakers
from accessmedia.subtitles import style
from accessmedia.subtitles import formats as subtitles
from accessmedia.core.fsutil import write_atomic
from accessmedia.runs.process import Job, ProcessResult
from accessmedia.subtitles.formats import SubtitleError
from accessmedia.core.transcript import Transcript

LOW_CONFIDENCE = 0.5  # a word the model gave less than this probability
SCHEMA = "accessmedia.report/1"


def conformance(path: Path, profile: style.StyleProfile) -> dict:
    try:
        cues = subtitles.read(path, allow_empty=True).cues
    except SubtitleError as exc:
        return {"error": str(exc)}
    report = style.check(cues, profile)
    failing = {b.cue for b in report.breaches}
    return {
        "cues": report.cues,
        "share_ok": round(1 - len(failing) / report.cues, 4) if report.cues else 1.0,
        "rules": report.summary(),
    }


def session(job: Job, result: ProcessResult, title: str | None = None) -> dict:
    """What one recording's report says, from its result and its files."""
    files, name, source = job.files, job.name, job.settings.language
    targets = job.settings.translation.targets
    entry: dict = {
        "name": name,
        "title": title or job.settings.packaging.title or name,
        "recording": job.recording.name,
        "folder": str(files.folder),
        "worker": result.worker,
        "model_loads": result.loads,
        "seconds": round(result.seconds_taken, 2),
        "error": result.error,
        "stages": [
            {"stage": s.stage, "status": "ran" if s.ran else "up to date", "seconds": round(s.seconds, 2),
             "seconds_when_made": round(s.computed_seconds, 2)}
            for s in result.stages
        ],
    }
    transcript = Transcript.from_json(files.transcript.read_text(encoding="utf-8")) if files.transcript.exists() else None
    if transcript is not None:
        words = transcript.words
        low = sum(1 for w in words if w.probability < LOW_CONFIDENCE)
        entry["duration"] = round(transcript.duration, 2)
        entry["words"] = len(words)
        entry["low_confidence_share"] = round(low / len(words), 4) if words else 0.0
        entry["removed"] = [{"start": r.start, "end": r.end, "reason": r.reason, "text": r.text} for r in transcript.removed]
    if files.speakers.exists():
        data = speakers.read(files.speakers)
        entry["speakers"] = [{"label": x["label"], "seconds": x["seconds"], "words": x["words"]} for x in data["speakers"]]
        entry["overlap_seconds"] = data.get("overlap_seconds", 0.0)
    record = json.loads(files.translations.read_text(encoding="utf-8")) if files.translations.exists() else {}
    produced, missing, check, engines = {}, {}, {}, {}
    for lang in targets:
        if lang in record.get("produced", {}) and files.subtitles(lang).exists():
            produced[lang] = record["produced"][lang].get("route", "")
            engines[lang] = record["produced"][lang].get("engine", "")
            if revisions.corrected_by_people(files.folder, name, lang):
                produced[lang] += " (corrected by people)"
            elif record["produced"][lang].get("suspicious"):
                check[lang] = record["produced"][lang]["suspicious"]
        else:
            missing[lang] = record.get("missing", {}).get(lang, {}).get("why", "not translated (yet)")
    entry["languages"] = {"requested": list(targets), "produced": produced, "missing": missing, "engines": engines}
    entry["check_first"] = check  # machine translations to look at first (suspicious.py)
    entry["conformance"] = {
        lang: conformance(files.subtitles(lang), job.settings.profile(lang))
        for lang in [source, *produced]
        if files.subtitles(lang).exists()
    }
    entry["warnings"] = [w for s in result.stages for w in s.warnings]
    entry["replay_page"] = str(files.replay_page) if files.replay_page.exists() else None
    return entry


def build(title: str, sessions: Sequence[dict], started: float, seconds: float, executor: str, workers: int) -> dict:
    ran = sum(1 for s in sessions for st in s["stages"] if st["status"] == "ran")
    cached = sum(1 for s in sessions for st in s["stages"] if st["status"] != "ran")
    loads: dict[str, dict] = {}
    for s in sessions:
        if s["worker"] and any(st["status"] == "ran" for st in s["stages"]):
            loads[s["worker"]] = s["model_loads"]  # the last report of a worker holds its totals
    return {
        "schema": SCHEMA,
        "title": title,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": round(seconds, 2),
        "executor": executor,
        "workers": workers,
        "totals": {
            "recordings": len(sessions),
            "failed": sum(1 for s in sessions if s["error"]),
            "audio_seconds": round(sum(s.get("duration", 0.0) for s in sessions), 2),
            "stages_ran": ran,
            "stages_up_to_date": cached,
            "warnings": sum(len(s["warnings"]) for s in sessions),
        },
        "model_loads_per_worker": loads,
        "sessions": list(sessions),
    }


def write(report: dict, folder: Path) -> tuple[Path, Path]:
    """FOLDER/report.json and FOLDER/report.html."""
    folder = Path(folder)
    json_path, html_path = folder / "report.json", folder / "report.html"
    write_atomic(json_path, json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    write_atomic(html_path, render_html(report, folder))
    return json_path, html_path


# -- HTML ------------------------------------------------------------------------------

CSS = (
    "body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif;color:#1b1b1b;background:#fff;"
    "max-width:1100px;margin:0 auto;padding:1rem}"
    "table{border-collapse:collapse;margin:.5rem 0 1rem;width:100%}caption{text-align:start;font-weight:600;padding:.25rem 0}"
    "th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:start;vertical-align:top}th{background:#eef3f8}"
    ".bad{color:#8a1c1c;font-weight:600}.ok{color:#1d5e20}section{border-top:2px solid #1d3557;margin-top:1.5rem}"
    "a{color:#0b4f8a}:focus-visible{outline:3px solid #0b4f8a;outline-offset:2px}ul{padding-inline-start:1.2rem}"
    ".wrap{overflow-x:auto}h1,h2,p,li,td{overflow-wrap:anywhere}"
)


def _e(value: object) -> str:
    return html.escape(str(value))


def _language(code: str) -> str:
    """A language in its own name, marked as that language, with its code."""
    return f'<span lang="{_e(code)}">{_e(languages.native_name(code))}</span> ({_e(code)})'


def _pct(share: float) -> str:
    return f"{share * 100:.1f} %"


def _minutes(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _table(caption: str, head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table; cells are already escaped HTML."""
    out = [f'<div class="wrap"><table><caption>{_e(caption)}</caption><thead><tr>']
    out += [f'<th scope="col">{_e(h)}</th>' for h in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + f'<th scope="row">{row[0]}</th>' + "".join(f"<td>{c}</td>" for c in row[1:]) + "</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def _session_html(s: dict, base: Path | None) -> str:
    parts = [f'<section aria-labelledby="s-{_e(s["name"])}"><h2 id="s-{_e(s["name"])}">{_e(s["title"])}</h2>']
    if s.get("replay_page"):
        href = quote(os.path.relpath(s["replay_page"], base)) if base is not None else Path(s["replay_page"]).as_uri()
        parts.append(f'<p><a href="{_e(href)}">Replay page with subtitles</a> (serve the folder with a web server to play the video)</p>')
    facts = [f"Recording: {_e(s['recording'])}"]
    if "duration" in s:
        facts.append(f"duration {_minutes(s['duration'])}")
    if any(st["status"] == "ran" for st in s["stages"]):
        facts.append(f"worker {_e(s['worker'])}")
    parts.append(f"<p>{', '.join(facts)}</p>")
    if s["error"]:
        parts.append(f'<p class="bad">Failed: {_e(s["error"])}</p>')
    if s["stages"]:
        parts.append(_table("Time per stage", ["stage", "this run", "seconds", "seconds when made"], [
            (_e(st["stage"]), _e(st["status"]), f"{st['seconds']:.1f}", f"{st['seconds_when_made']:.1f}") for st in s["stages"]
        ]))
    if "words" in s:
        removed = s.get("removed", [])
        parts.append(f"<p>{s['words']} words; low confidence (below {LOW_CONFIDENCE:g}): {_pct(s['low_confidence_share'])}; "
                     f"suspected hallucinations removed: {len(removed)}.</p>")
        if removed:
            parts.append(_table("Removed as suspected hallucinations", ["time", "reason", "text"], [
                (f"{_minutes(r['start'])}–{_minutes(r['end'])}", _e(r["reason"]), _e(r["text"])) for r in removed
            ]))
    if s.get("speakers"):
        parts.append(_table("Who speaks", ["speaker", "speaking time", "words"], [
            (_e(x["label"]), _minutes(x["seconds"]), str(x["words"])) for x in s["speakers"]
        ]))
        parts.append("<p>Overlapping speech found: " + _minutes(s.get("overlap_seconds", 0.0))
                     + " (there a second speaker is added, the one nearest in time; captions show one speaker at a time)</p>")
    if s.get("conformance"):
        rows = []
        for lang, c in s["conformance"].items():
            name = _language(lang)
            if "error" in c:
                rows.append((name, "", f'<span class="bad">{_e(c["error"])}</span>', ""))
                continue
            weak = [f"{_e(rule)} {_pct(v)}" for rule, v in c["rules"].items() if v < 1]
            cls = "ok" if c["share_ok"] >= 1 else "bad"
            rows.append((name, str(c["cues"]), f'<span class="{cls}">{_pct(c["share_ok"])}</span>', ", ".join(weak) or "every rule met"))
        parts.append(_table("Cue conformance", ["language", "cues", "cues meeting every rule", "rules not always met"], rows))
    langs = s.get("languages", {})
    if langs.get("requested"):
        rows = [(_language(l), "produced", _e(route), _e(langs.get("engines", {}).get(l, "")))
                for l, route in langs["produced"].items()]
        rows += [(_language(l), '<span class="bad">missing</span>', _e(why), "")
                 for l, why in langs["missing"].items()]
        parts.append(_table("Languages", ["language", "state", "how / why", "engine, licence, published quality"], rows))
    if s.get("check_first"):
        parts.append(_table("Translations to check first", ["language", "cue", "time", "why"], [
            (_language(lang), str(f["cue"]), _minutes(f["start"]), _e(f["reason"]))
            for lang, found in s["check_first"].items() for f in found
        ]))
    if s["warnings"]:
        parts.append("<h3>Warnings</h3><ul>" + "".join(f"<li>{_e(w)}</li>" for w in s["warnings"]) + "</ul>")
    parts.append("</section>")
    return "".join(parts)


def render_html(report: dict, base: Path | None = None) -> str:
    """The report as a page; links to the replay pages are relative to `base`, the folder the page goes to."""
    t = report["totals"]
    summary = (
        f"<p>{t['recordings']} recordings ({_minutes(t['audio_seconds'])} of audio), {t['failed']} failed; "
        f"{t['stages_ran']} stages ran, {t['stages_up_to_date']} were up to date; {t['warnings']} warnings. "
        f"Run started {_e(report['started'])}, took {report['seconds']:.1f} s with {report['workers']} worker(s), "
        f"executor {_e(report['executor'])}.</p>"
    )
    loads = report.get("model_loads_per_worker", {})
    load_table = _table("Models loaded per worker", ["worker", "speech models", "translation models"], [
        (_e(w), str(n.get("asr", 0)), str(n.get("translate", 0))) for w, n in loads.items()
    ]) if loads else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Run report: {_e(report['title'])}</title><style>{CSS}</style></head>"
        f"<body><main><h1>Run report: {_e(report['title'])}</h1>{summary}{load_table}"
        + "".join(_session_html(s, base) for s in report["sessions"])
        + "</main></body></html>\n"
    )
