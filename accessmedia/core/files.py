"""Where a processed recording's files live: the one place that knows their names.

    FOLDER/NAME.transcript.json     the words with their times: the source of truth
    FOLDER/NAME.<lang>.srt, .vtt    the current subtitles per language; NAME.txt the readable text
    FOLDER/NAME.<lang>.template.csv a language without a model, for volunteers
    FOLDER/NAME.translations.json   what each language was made from, or why it is missing
    FOLDER/NAME.package.json        how the recording was last packaged (paths relative to FOLDER)
    FOLDER/NAME.chapters.txt        the programme as YouTube chapters
    FOLDER/process.json, report.*   the runner's record and report
    FOLDER/dist/                    HLS, replay page, upload bundle
    FOLDER/revisions/NAME/<lang>/   every revision ever saved
    FOLDER/kits/NAME.<lang>.*       translation kits for volunteers

`transcribe -o out` puts several recordings in one folder; `process` gives each its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from accessmedia.core import languages
from accessmedia.core.errors import AccessMediaError

TRANSCRIPT_SUFFIX = ".transcript.json"
SUBTITLE_FORMATS = ("srt", "vtt")
APPLY_JOURNAL_PREFIX = "apply."
CHANGE_JOURNAL_PREFIX = "change."


@dataclass(frozen=True)
class RecordingFiles:
    folder: Path
    name: str

    def _named(self, suffix: str) -> Path:
        return self.folder / f"{self.name}{suffix}"

    @property
    def transcript(self) -> Path:
        return self._named(TRANSCRIPT_SUFFIX)

    @property
    def speakers(self) -> Path:
        """Who speaks: the speakers found, their names once named, their turns (speakers.py)."""
        return self._named(".speakers.json")

    @property
    def rttm(self) -> Path:
        """The speaker turns in RTTM, the interchange format of diarization tools."""
        return self._named(".rttm")

    def subtitles(self, language: str, fmt: str = "srt") -> Path:
        return self._named(f".{language}.{fmt}")

    @property
    def text(self) -> Path:
        return self._named(".txt")

    def condensed(self, language: str) -> Path:
        """What condensation left out of each cue made from the transcript (for the review editor to put back)."""
        return self._named(f".{language}.condensed.json")

    def template(self, language: str) -> Path:
        return self._named(f".{language}.template.csv")

    @property
    def translations(self) -> Path:
        return self._named(".translations.json")

    @property
    def package_record(self) -> Path:
        return self._named(".package.json")

    @property
    def chapters(self) -> Path:
        return self._named(".chapters.txt")

    @property
    def state(self) -> Path:
        return self.folder / "process.json"

    @property
    def dist(self) -> Path:
        return self.folder / "dist"

    @property
    def replay_page(self) -> Path:
        return self.dist / "site" / "index.html"

    @property
    def master_playlist(self) -> Path:
        return self.dist / "hls" / "master.m3u8"

    @property
    def apply_journal(self) -> Path:
        """The steps of an `apply` under way; left behind only by one that was killed."""
        return self.folder / ".accessmedia" / f"{APPLY_JOURNAL_PREFIX}{self.name}.json"

    @property
    def change_journal(self) -> Path:
        """Every file of a change of several files under way (naming speakers); left behind only by one that was killed."""
        return self.folder / ".accessmedia" / f"{CHANGE_JOURNAL_PREFIX}{self.name}.json"

    def revisions(self, language: str) -> Path:
        return self.folder / "revisions" / self.name / language

    def kit(self, language: str, fmt: str) -> Path:
        return self.folder / "kits" / f"{self.name}.{language}.{fmt}"

    def cue_files(self, language: str) -> list[Path]:
        """The files the cue stage makes from the transcript, which a person may edit afterwards."""
        return [self.subtitles(language, "srt"), self.subtitles(language, "vtt"), self.text]

    def translation_files(self, languages: Iterable[str]) -> list[Path]:
        """The subtitle files machine translation makes for `languages`."""
        return [self.subtitles(lang, fmt) for lang in languages for fmt in SUBTITLE_FORMATS]

    def subtitle_languages(self) -> list[str]:
        """Languages with a current WebVTT file, in name order."""
        prefix = f"{self.name}."
        return sorted(p.name[len(prefix) : -len(".vtt")] for p in self.folder.glob(f"{self.name}.*.vtt"))

    def relative(self, path: Path) -> str:
        """`path` as the package record stores it: relative to the folder, so a moved project keeps working."""
        return os.path.relpath(Path(path).resolve(), self.folder.resolve())

    def resolve(self, stored: str) -> Path:
        return (self.folder / stored).resolve()

    @classmethod
    def of_transcript(cls, path: Path) -> "RecordingFiles":
        if not path.name.endswith(TRANSCRIPT_SUFFIX):
            raise AccessMediaError(f"{path.name} is not a transcript", "pass NAME.transcript.json written by `accessmedia transcribe`")
        return cls(path.parent, path.name[: -len(TRANSCRIPT_SUFFIX)])

    @classmethod
    def of_subtitles(cls, path: Path, language: str | None = None) -> tuple["RecordingFiles", str | None]:
        """The recording and language of a file named NAME.<lang>.srt (or .vtt); the language is None when the
        name does not say and none is given."""
        stem = path.name.rsplit(".", 1)[0]
        head, _, tail = stem.rpartition(".")
        if head and tail.lower() in languages.LANGUAGES:
            name, found = head, tail.lower()
        else:
            name, found = stem, None
        return cls(path.parent, name), languages.normalize(language) if language else found
