"""Subtitles: the cue record and its formats (SRT, WebVTT, TTML, translation sheets), making cues from timed words
by the style profile's rules, checking cues against them, speaker labels and markup."""

from accessmedia.subtitles.cue import Cue
from accessmedia.subtitles.formats import compose, read
from accessmedia.subtitles.segmenter import build_cues, cues_from_transcript
from accessmedia.subtitles.style import StyleProfile, Styles, check

__all__ = ["Cue", "read", "compose", "check", "build_cues", "cues_from_transcript", "StyleProfile", "Styles"]
