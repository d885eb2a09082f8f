"""The settings of a run: one frozen record, built once at the edge (the CLI's option groups, an event
manifest) and handed down whole to every stage, which finds its own part in it.

A new setting goes into the part of the stage that uses it, into the CLI option group that fills that
part, and into the stage: nothing else passes it along. Each stage's record keeps the part it used
(`record()`), so every output says how it was made.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Mapping

from . import languages
from .style import StyleProfile, profile_from, read_style_file


@dataclass(frozen=True)
class ModelLoad:
    """What loading the speech model needs. A worker keeps one loaded model per distinct value."""

    model: str | None = None  # catalogue name, installed name or folder; None = the default
    device: str = "cpu"  # cpu, cuda or auto
    compute_type: str = "default"  # int8 on CPU, float16 on CUDA
    threads: int = 0  # CPU threads; 0 = every core

    def resolved_compute_type(self) -> str:
        if self.compute_type != "default":
            return self.compute_type
        return "float16" if self.device == "cuda" else "int8"


@dataclass(frozen=True)
class Decoding:
    """How one recording is decoded with a loaded speech model: passed with each call."""

    beam_size: int = 5
    hotwords: tuple[str, ...] = ()  # names and terms the model is told to expect
    vad: bool = True  # skip what voice activity detection finds is not speech
    audio_track: int | None = None  # 1-based; None = the default track
    block_seconds: float = 300.0  # audio handled at once: bounds memory; changes speed, not words
    accept_truncated: bool = False  # a recording cut off before its declared length: use what is there (else an error)


@dataclass(frozen=True)
class Recognition:
    load: ModelLoad = ModelLoad()
    decode: Decoding = Decoding()


@dataclass(frozen=True)
class Diarizing:
    """Who speaks: how many speakers to look for, and with which speaker model."""

    count: str = "auto"  # "auto" (found), "off", or a fixed number ("3")
    low: int = 1  # when found: at least this many
    high: int = 10  # and at most this many (the programme's speakers bound it)
    model: str | None = None  # catalogue name, installed name or folder; None = the default
    threads: int = 0  # 0 = every core
    references: tuple[tuple[str, str], ...] = ()  # (name, clip path): voices to name automatically
    names: tuple[str, ...] = ()  # the programme's speakers: offered when people name the voices

    @property
    def off(self) -> bool:
        return self.count == "off"

    @property
    def fixed(self) -> int | None:
        return int(self.count) if self.count.isdigit() else None


def diarizing(count: str | int | None = "auto", model: str | None = None, high: int | None = None) -> Diarizing:
    """A checked Diarizing from what a person typed: --speakers N|auto|off."""
    from .errors import AccessMediaError

    text = str(count if count is not None else "auto").strip().lower()
    if text not in ("auto", "off") and not (text.isdigit() and 1 <= int(text) <= 50):
        raise AccessMediaError(f"--speakers {count!r} is not a number of speakers, auto or off", "e.g. --speakers 3, --speakers auto, --speakers off")
    return Diarizing(count=str(int(text)) if text.isdigit() else text, model=model, high=high or 10)


@dataclass(frozen=True)
class Translation:
    targets: tuple[str, ...] = ()  # BCP-47 codes
    protected: tuple[str, ...] = ()  # names and terms kept exactly as they are in every language
    beam_size: int = 2
    engine: str = "argos"
    device: str = "cpu"
    threads: int = 0  # 0 = every core
    routes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # pinned: (language, (model,) or (model to English, model from English))

    def pin(self, language: str) -> tuple[str, ...] | None:
        return dict(self.routes).get(language)


@dataclass(frozen=True)
class Chapter:
    start: float  # seconds
    title: str


@dataclass(frozen=True)
class Packaging:
    title: str | None = None  # the replay page's and the uploads' title; None = from the file name
    ladder: tuple[int, ...] = ()  # extra HLS renditions by height
    burn: tuple[str, ...] = ()  # languages burned into open-caption videos
    chapters: tuple[Chapter, ...] = ()
    languages: tuple[str, ...] | None = None  # None = every subtitle file found

    @classmethod
    def from_record(cls, data: Mapping) -> "Packaging":
        """The packaging settings a package record kept (as `asdict` wrote them)."""
        return cls(data.get("title"), tuple(data.get("ladder") or ()), tuple(data.get("burn") or ()),
                   tuple(Chapter(float(c["start"]), c["title"]) for c in data.get("chapters") or ()),
                   tuple(data["languages"]) if data.get("languages") else None)


@dataclass(frozen=True)
class Styles:
    """The style profile file's rules, parsed once; `profile(lang)` gives each language's StyleProfile."""

    origin: str | None = None  # the file's path, for messages; None = the built-in rules only
    text: str | None = None  # the file's text: part of the stage keys, so a changed file remakes the cues
    data: Mapping = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def read(cls, path: str | Path | None) -> "Styles":
        if path is None:
            return cls()
        path = Path(path).resolve()
        text, data = read_style_file(path)
        styles = cls(str(path), text, data)
        styles.profile("nb")  # a broken profile fails now, at the edge, not in a worker
        return styles

    def profile(self, language: str) -> StyleProfile:
        return profile_from(language, self.data if self.origin else None, self.origin)

    def record(self) -> dict:
        return {"file": self.origin}


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
