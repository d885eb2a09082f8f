"""The stages of the pipeline as plain functions: loaded models, settings and the previous stage's
records in; files written atomically into the recording's folder and a record out.

    recognize   recording -> Transcript (NAME.transcript.json)
    find_speakers recording + Transcript -> the Transcript with speakers, NAME.speakers.json, NAME.rttm
    make_cues   Transcript + style profile -> NAME.<lang>.srt/.vtt, NAME.txt
    translate   source cues -> NAME.<lang>.srt/.vtt per language, or a template; NAME.translations.json
    package     recording + subtitles -> dist/ (HLS, replay page, upload bundle); NAME.package.json

No printing, prompting or refusing here: progress goes to a `progress` object (start, update, stop),
warnings come back in the records, and whether a person's edits may be overwritten is the caller's
policy (api for the single verbs, process for the resumable runner).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Protocol, Sequence

from accessmedia.recognition import asr
from accessmedia.speakers import diarize
from accessmedia.core import languages
from accessmedia.core import media
from accessmedia.models import translation as mt_models
from accessmedia.translation import routes as mt_routes
from accessmedia.speakers import rttm
from accessmedia.speakers import record as speakers
from accessmedia.subtitles import style
from accessmedia.subtitles import formats as subtitles
from accessmedia.translation import suspicious
from accessmedia.subtitles import voices
from accessmedia.subtitles.cue import Cue
from accessmedia.subtitles.segmenter import build_from_transcript
from accessmedia.core.files import RecordingFiles
from accessmedia.core.fsutil import write_atomic
from accessmedia.core.ledger import Ledger
from accessmedia.translation.routes import Route
from accessmedia.pipeline.runtime import LoadedModels
from accessmedia.pipeline.settings import Decoding, Packaging, Styles, Translation
from accessmedia.pipeline.settings import Settings, from_record as settings_from_record
from accessmedia.subtitles.sheets import template_csv
from accessmedia.core.transcript import Transcript, readable_text


class Progress(Protocol):
    def start(self, label: str, total: float) -> None: ...
    def update(self, done: float, stage: str | None = None) -> None: ...
    def stop(self) -> None: ...


class Silent:
    def start(self, label: str, total: float) -> None:
        pass

    def update(self, done: float, stage: str | None = None) -> None:
        pass

    def stop(self) -> None:
        pass


# -- recognize ---------------------------------------------------------------------

def open_recording(recording: Path, decode: Decoding) -> tuple[media.MediaInfo, str | None]:
    """The recording's streams and a warning, checked: it is a recording, has the audio track asked for,
    and is not cut off before its declared length (unless `decode.accept_truncated`)."""
    info = media.probe(recording)
    info.track(decode.audio_track)
    return info, info.check_complete(decode.accept_truncated)


def recognize(files: RecordingFiles, recording: Path, info: media.MediaInfo, recognizer: asr.Recognizer,
              decode: Decoding, progress: Progress = Silent()) -> Transcript:
    """Speech recognition for one recording: writes NAME.transcript.json, the source of truth for the words."""
    progress.start(recording.name, info.duration)
    try:
        transcript = asr.transcribe(recording, recognizer, decode, lambda p: progress.update(p.done, "transcribing"), info)
        progress.update(info.duration, "transcribed")
    finally:
        progress.stop()
    write_atomic(files.transcript, transcript.to_json())
    return transcript


def removal_warnings(label: str, transcript: Transcript) -> list[str]:
    return [f"{label} {r.start:.1f}-{r.end:.1f} s: removed {r.reason}: {r.text[:60]!r}" for r in transcript.removed]


# -- speakers ---------------------------------------------------------------------

def find_speakers(files: RecordingFiles, recording: Path, info: media.MediaInfo | None, transcript: Transcript, settings: Settings,
                  loaded: LoadedModels, progress: Progress = Silent()) -> Transcript:
    """Who speaks when, as `settings.speakers` asks, with the speaker and overlap models `loaded` keeps: every word of
    the transcript gets its speaker (NAME.transcript.json), the speakers and their turns go to NAME.speakers.json and
    NAME.rttm. Names given before are kept for their voices."""
    diarizing, decode = settings.speakers, settings.recognition.decode
    if diarizing.off:
        plain = speakers.without_speakers(transcript)
        write_atomic(files.transcript, plain.to_json())
        files.rttm.unlink(missing_ok=True)
        return plain
    note = getattr(progress, "note", None)
    model, model_info = loaded.speaker_model(diarizing, note)
    segmentation = loaded.segmentation(diarizing, note)
    track = info.track(decode.audio_track)
    progress.start(f"{recording.name}: who speaks", info.duration)
    try:
        bounds = diarize.Bounds(diarizing.fixed, diarizing.low, diarizing.high)
        found = diarize.diarize(lambda: media.decode_blocks(recording, track), model, bounds,
                                lambda t: progress.update(t, "finding speakers"), segmentation)
        progress.update(info.duration, "speakers found")
    finally:
        progress.stop()
    turns = [(t.start, t.end, str(t.speaker)) for t in found.turns]
    assigned, order = speakers.assign(transcript, turns)
    embeddings = {order[str(k)]: found.centroids[k] for k in range(found.speakers) if str(k) in order}
    previous = speakers.read(files.speakers) if files.speakers.exists() else {"speakers": []}
    for name, clip in diarizing.references:  # names people gave before come first
        vector = clip_voice(clip, model)
        if vector is not None:
            previous["speakers"].append({"name": name, "embedding": vector.tolist()})
    ordered = speakers.turns_in_order(turns, order)
    settings = {"count": diarizing.count, "low": diarizing.low, "high": diarizing.high, "programme": list(diarizing.names)}
    data = speakers.record(assigned, ordered, embeddings, model_info, settings, found.overlap_seconds, previous)
    assigned = replace(assigned, speakers=tuple({k: v for k, v in s.items() if k in ("id", "label", "seconds", "words")} for s in data["speakers"]))
    write_atomic(files.transcript, assigned.to_json())
    write_speakers(files, data)
    return assigned


def clip_voice(clip: str | Path, model):
    """The voice of a person recorded alone (an event's [[voice]] clip), as the speaker model embeds it; None if the
    clip holds no speech."""
    return diarize.voice(media.decode_blocks(clip, media.probe(clip).track(None)), model)


def write_speakers(files: RecordingFiles, data: dict) -> None:
    """NAME.speakers.json, and NAME.rttm from it with each speaker's label (their name once named)."""
    speakers.write(files.speakers, data)
    labels = speakers.labels(data)
    write_atomic(files.rttm, rttm.dumps(files.name, [(a, b, labels.get(w, w)) for a, b, w in data["turns"]]))


def recording_length(files: RecordingFiles) -> float | None:
    """How long the recording is, from its transcript, or from the recording its package was made from."""
    if files.transcript.exists():
        return Transcript.from_json(files.transcript.read_text(encoding="utf-8")).duration
    before = packaged_before(files)
    if before is not None and before[0].is_file():
        return media.probe(before[0]).duration
    return None


def speaker_voices(files: RecordingFiles, cues: Sequence[Cue]) -> list[Cue]:
    """Cues read from SRT (which has no voices) with their speakers' voices again, from NAME.speakers.json."""
    if not files.speakers.exists():
        return list(cues)
    data = speakers.read(files.speakers)
    labels = speakers.labels(data)
    return voices.restore(cues, [(a, b, labels.get(w, w)) for a, b, w in data["turns"]])


# -- cues ---------------------------------------------------------------------------

@dataclass(frozen=True)
class CuesRecord:
    outputs: dict[str, Path]  # srt, vtt, text
    cues: int
    conformance: style.Conformance
    warnings: tuple[str, ...]


def make_cues(files: RecordingFiles, transcript: Transcript, profile: style.StyleProfile,
              formats: Sequence[str] = subtitles.PIPELINE_FORMATS, keep: Sequence[str] = ()) -> CuesRecord:
    """Subtitles from a transcript with a style profile: NAME.<lang>.srt and .vtt (and the other `formats`),
    what condensation left out of each cue (NAME.<lang>.condensed.json, when it left anything out; `keep`: glossary
    terms, never left out),
    and the readable NAME.txt."""
    names = speakers.labels(speakers.read(files.speakers)) if files.speakers.exists() else {}
    built = build_from_transcript(transcript, profile, names, keep)
    cues = built.cues
    warnings = []
    if not cues:
        warnings.append(f"no speech found in {transcript.source.get('file', files.name)} ({transcript.duration / 60:.1f} min): its subtitle files are empty")
    lang = transcript.language
    made = {fmt: files.subtitles(lang, fmt) for fmt in formats}
    left_out = [{"start": cues[o.cue].start, "end": cues[o.cue].end, "left_out": list(o.left_out),
                 "verbatim": subtitles.srt_text(o.verbatim)} for o in built.omissions]
    condensed = {files.condensed(lang).name: json.dumps({"cues": left_out}, ensure_ascii=False, indent=1)} if left_out else {}
    Ledger(files.folder).write({**{path.name: subtitles.compose(cues, fmt, lang) for fmt, path in made.items()},
                                **condensed, files.text.name: readable_text(transcript, names)})
    if not left_out:  # nothing left out (now): no file says otherwise
        files.condensed(lang).unlink(missing_ok=True)
    return CuesRecord({**made, "text": files.text}, len(cues), style.check(cues, profile), tuple(warnings))


# -- translate ------------------------------------------------------------------------

@dataclass(frozen=True)
class TranslationsRecord:
    produced: dict[str, dict]  # language -> {"route", "cues", "srt", "vtt", "conformance"}
    missing: dict[str, dict]  # language -> {"why", "template"}
    sentences: int
    translated: int  # sentences sent to a model; the rest came from the cache
    cached: int
    warnings: tuple[str, ...]
    asked: int = 0  # sentence translations asked for, summed over the languages


def read_record(path: Path, key: str) -> dict:
    """One table of a JSON record (NAME.translations.json), or an empty one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8")).get(key, {})
        return data if isinstance(data, dict) else {}
    except (OSError, json.JSONDecodeError, AttributeError):
        return {}


def routes(source: str, targets: Sequence[str], pins: Sequence[tuple[str, tuple[str, ...]]] = ()) -> dict[str, Route | None]:
    """Each target's route from `source` (mt_routes.py: the pinned one, else the best installed), or None."""
    from accessmedia.models.catalog import catalog

    models, catalogue, pinned = mt_models.installed(), catalog(), dict(pins)
    return {t: mt_routes.best(source, t, models, catalogue, pinned.get(t)) for t in targets if t != source}


def translation_outputs(files: RecordingFiles, source: str, targets: Sequence[str], pins: Sequence = ()) -> list[Path]:
    """The subtitle files `translate` would write over: those of the targets with a model (the others get a template)."""
    return files.translation_files([t for t, route in routes(source, targets, pins).items() if route])


def translate(files: RecordingFiles, cues: Sequence[Cue], source: str, translation: Translation, styles: Styles,
              loaded: LoadedModels, input_name: str, progress: Progress = Silent(),
              formats: Sequence[str] = subtitles.PIPELINE_FORMATS) -> TranslationsRecord:
    """Translate `cues` into every target of `translation` that has a model; a template for the others.
    NAME.translations.json keeps earlier runs' languages; this run's replace theirs."""
    from accessmedia.translation.translate import Engine, TranslationCache, sentences_of, translate_cues

    source_profile = styles.profile(source)
    every = routes(source, list(dict.fromkeys([*translation.targets, "en"])), translation.routes)  # English: templates' column
    found = {t: every[t] for t in translation.targets if t != source}
    cues = speaker_voices(files, cues)
    engine = Engine(TranslationCache(files.folder / ".cache" / "translations.sqlite3"),
                    lambda model: loaded.translator(model, translation), translation.beam_size)
    produced: dict[str, dict] = {}
    missing: dict[str, dict] = {}
    warnings: list[str] = []
    written: dict[str, str] = {}
    english = None
    count = len(sentences_of(cues, source_profile.sentence_end)[0])
    ledger = Ledger(files.folder)
    try:
        for target, route in found.items():
            if route is None:
                continue
            profile = styles.profile(target)
            progress.start(f"{files.name} {source}->{target}", count * len(route.steps))
            done = [0]

            def tick(n: int, done: list[int] = done) -> None:
                done[0] += n
                progress.update(done[0], "translating")

            result = translate_cues(cues, target, route, engine, profile, translation.protected, source_profile, tick)
            progress.stop()
            if target == "en":
                english = result.cues
            for term in result.lost_terms:
                warnings.append(f"{target}: the model dropped the glossary term {term!r}; it was added back in brackets")
            for fmt in formats:
                written[files.subtitles(target, fmt).name] = subtitles.compose(result.cues, fmt, target)
            produced[target] = {**route.record(), "cues": len(result.cues), "conformance": style.check(result.cues, profile),
                                "suspicious": [f.to_dict() for f in suspicious.flags(cues, result.cues)]}
        to_english = every.get("en")
        for target, route in found.items():
            if route is not None:
                continue
            if english is None and to_english:
                english = translate_cues(cues, "en", to_english, engine, styles.profile("en"), translation.protected, source_profile).cues
            template = files.template(target)
            missing[target] = {"why": f"no translation model for {source}->{target} (directly or through English)", "template": template.name}
            if ledger.edited(template):  # a volunteer is filling it in: theirs
                warnings.append(f"{languages.LANGUAGES[target][0]} ({target}): no translation model; kept {template.name}, which someone edited")
                continue
            written[template.name] = template_csv(cues, english, source, target)
            warnings.append(f"{languages.LANGUAGES[target][0]} ({target}): no translation model; wrote {template.name} for volunteers to fill in")
    finally:
        engine.cache.close()
    previous = {"produced": read_record(files.translations, "produced"), "missing": read_record(files.translations, "missing")}
    for t in produced:
        previous["missing"].pop(t, None)
    for t in missing:
        previous["produced"].pop(t, None)
    summary = {
        "input": input_name,
        "source_language": source,
        "produced": {**previous["produced"], **{t: {**{k: p[k] for k in RECORDED}, "cues": p["cues"],
                                                   **({"suspicious": p["suspicious"]} if p["suspicious"] else {})}
                                               for t, p in produced.items()}},
        "missing": {**previous["missing"], **missing},
    }
    ledger.write(written)
    write_atomic(files.translations, json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
    for t, p in produced.items():
        p["srt"], p["vtt"] = files.subtitles(t, "srt"), files.subtitles(t, "vtt")
    return TranslationsRecord(produced, missing, count, engine.translated, engine.cache.hits, tuple(warnings), engine.asked)


RECORDED = ("route", "engine", "models", "licences", "quality", "non_commercial")  # what NAME.translations.json keeps of a route


def record_volunteer_language(files: RecordingFiles, language: str, cues: int, source: str) -> None:
    """NAME.translations.json: `language` now comes from volunteers (a translation kit)."""
    record = files.translations
    summary = (json.loads(record.read_text(encoding="utf-8")) if record.exists()
               else {"input": files.subtitles(source).name, "source_language": source, "produced": {}, "missing": {}})
    summary["missing"].pop(language, None)
    summary["produced"][language] = {"route": "volunteers (translation kit)", "cues": cues}
    write_atomic(record, json.dumps(summary, ensure_ascii=False, indent=1) + "\n")


# -- package ----------------------------------------------------------------------------

def package(files: RecordingFiles, recording: Path, dist: Path, packaging: Packaging, source: str = "nb"):
    """HLS with subtitle renditions, a replay page, an upload bundle and open-caption videos for one recording.

    How it was packaged is remembered in NAME.package.json, with paths relative to the recording's
    folder, so that `apply` can rebuild the package after a correction, also in a moved project.
    """
    from accessmedia.packaging.package import package as build

    result = build(recording, files, dist, packaging, source=source)
    record = {
        "recording": files.relative(recording),
        "recording_absolute": str(Path(recording).resolve()),
        "dist": files.relative(dist),
        "packaging": asdict(packaging),
    }
    write_atomic(files.package_record, json.dumps(record, ensure_ascii=False, indent=1) + "\n")
    return result


def packaged_before(files: RecordingFiles) -> tuple[Path, Path, Packaging] | None:
    """(recording, dist, packaging) remembered in NAME.package.json, or None if never packaged.
    Relative paths are taken from the recording's folder; a recording that moved with the project is
    found there, one that stayed where it was by its absolute path."""
    try:
        s = json.loads(files.package_record.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    recording = files.resolve(s["recording"])
    if not recording.is_file() and s.get("recording_absolute"):
        recording = Path(s["recording_absolute"])
    if "packaging" in s:
        packaging = Packaging.from_record(s["packaging"])
    else:  # a record written before the packaging settings were one record: absolute paths, a chapters file
        from accessmedia.packaging.package import read_chapters

        chapters = [asdict(c) for c in read_chapters(Path(s["chapters"]), 0)] if s.get("chapters") else []
        packaging = Packaging.from_record({**s, "chapters": chapters, "languages": s.get("langs")})
    return recording, files.resolve(s["dist"]), packaging


def recorded_stages(files: RecordingFiles) -> dict:
    """The stages recorded as finished in the recording's process.json (name -> its record), or none."""
    try:
        recorded = json.loads(files.state.read_text(encoding="utf-8")).get("stages", {})
    except (OSError, json.JSONDecodeError, AttributeError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def recorded_settings(files: RecordingFiles) -> Settings:
    """The settings this recording was made with (its process.json; the source language of its translations
    where no transcribe stage was recorded), for everything that changes its files later."""
    recorded = recorded_stages(files)
    try:
        source = json.loads(files.translations.read_text(encoding="utf-8")).get("source_language")
    except (OSError, json.JSONDecodeError, AttributeError):
        source = None
    return settings_from_record(recorded, source)


def repackage(files: RecordingFiles, language: str | None = None):
    """Package again as last time, if this recording was packaged before; `language` (one people just made,
    a translation kit) joins a package that named its languages."""
    before = packaged_before(files)
    if before is None:
        return None
    recording, dist, packaging = before
    if language and packaging.languages and language not in packaging.languages and files.subtitles(language, "vtt").exists():
        packaging = replace(packaging, languages=(*packaging.languages, language))
    return package(files, recording, dist, packaging, recorded_settings(files).language)
