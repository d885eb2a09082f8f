"""The settings of a run: one frozen record, built once at the edge (the CLI's option groups, an event
manifest) and handed down whole to every stage, which finds its own part in it.

A new setting goes into the part of the stage that uses it, into the CLI option group that fills that
part, and into the stage: nothing else passes it along. Each stage's record keeps the part it used
(`record()`), so every output says how it was made.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Iterable, Mapping

from accessmedia.core import languages
from accessmedia.packaging.settings import Chapter, Packaging
from accessmedia.recognition.settings import Decoding, ModelLoad, Recognition
from accessmedia.speakers.settings import Diarizing, diarizing
from accessmedia.subtitles.style import StyleProfile, Styles
from accessmedia.translation.settings import Translation

__all__ = ["Settings", "build", "Chapter", "Packaging", "Decoding", "ModelLoad", "Recognition", "Diarizing", "diarizing", "Styles",
           "Translation"]


@dataclass(frozen=True)
class Settings:
    """Everything a run was asked to do, one part per stage."""

    language: str = "nb"  # spoken language of the recordings, BCP-47
    recognition: Recognition = Recognition()
    speakers: Diarizing = Diarizing()
    translation: Translation = Translation()
    packaging: Packaging = Packaging()
    styles: Styles = Styles()
    formats: tuple[str, ...] = ("srt", "vtt")  # subtitle files per language; ttml on request

    def with_threads(self, threads: int) -> "Settings":
        """The same work with `threads` CPU threads for every model (a worker's share of the cores);
        settings that asked for a number keep it."""
        load = self.recognition.load
        return replace(
            self,
            recognition=replace(self.recognition, load=replace(load, threads=load.threads or threads)),
            speakers=replace(self.speakers, threads=self.speakers.threads or threads),
            translation=replace(self.translation, threads=self.translation.threads or threads),
        )

    def profile(self, language: str | None = None) -> StyleProfile:
        return self.styles.profile(language or self.language)


def unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def build(
    language: str = "nb",
    recognition: Recognition = Recognition(),
    targets: Iterable[str] = (),
    terms: Iterable[str] = (),
    hotwords: Iterable[str] | None = None,
    style: str | Path | Styles | None = None,
    translation: Translation = Translation(),
    packaging: Packaging = Packaging(),
    formats: Iterable[str] = ("srt", "vtt"),
    speakers: Diarizing = Diarizing(),
) -> Settings:
    """A checked Settings: language codes normalised, the style file read, the glossary's `terms` kept as
    they are in translation and, unless other `hotwords` are given, given to the recogniser as hotwords."""
    terms = unique(terms)
    return Settings(
        language=languages.normalize(language),
        recognition=replace(recognition, decode=replace(recognition.decode, hotwords=unique(hotwords if hotwords is not None else terms))),
        speakers=speakers,
        translation=replace(translation, targets=unique(languages.normalize(t) for t in targets), protected=terms),
        packaging=replace(packaging, burn=tuple(languages.normalize(b) for b in packaging.burn),
                          languages=tuple(languages.normalize(x) for x in packaging.languages) if packaging.languages else None),
        styles=style if isinstance(style, Styles) else Styles.read(style),
        formats=unique(["srt", "vtt", *formats]),
    )


def from_record(stages: Mapping[str, Mapping], source_language: str | None = None) -> Settings:
    """The Settings a recording was made with, from the stage records of its process.json (what each stage's `uses`
    kept): what people change later (a correction, a name, a restore) is redone with these, never with defaults.
    A stage that never ran leaves its part at the defaults; `source_language` (from NAME.translations.json) serves
    when no transcribe stage was recorded."""
    used = {k: v for stage in stages.values() for k, v in (stage.get("settings") or {}).items()}

    def known(cls, data: Mapping) -> dict:  # a field a later or earlier version recorded, and this one lacks, is left out
        return {f.name: data[f.name] for f in fields(cls) if f.name in data}

    language = used.get("language") or source_language or "nb"
    rec = used.get("recognition") or {}
    recognition = Recognition(ModelLoad(**known(ModelLoad, rec.get("load", {}))),
                              Decoding(**{**known(Decoding, rec.get("decode", {})),
                                          "hotwords": tuple(rec.get("decode", {}).get("hotwords", ()))}))
    spk = dict(used.get("speakers") or {})
    speakers = Diarizing(**{**known(Diarizing, spk), "references": tuple(tuple(r) for r in spk.get("references", ())),
                            "names": tuple(spk.get("names", ()))})
    tr = dict(used.get("translation") or {})
    translation = Translation(**{**known(Translation, tr), "targets": tuple(tr.get("targets", ())),
                                 "protected": tuple(tr.get("protected", ())),
                                 "routes": tuple((lang, tuple(models)) for lang, models in tr.get("routes", ()))})
    style_file = (used.get("styles") or {}).get("file")
    return Settings(language=languages.normalize(language), recognition=recognition, speakers=speakers, translation=translation,
                    packaging=Packaging.from_record(used.get("packaging") or {}), styles=Styles.read(style_file),
                    formats=tuple(used.get("formats") or ("srt", "vtt")))
