"""accessmedia: accessible event recordings in many languages.

The pipeline is a chain of small stages, one module each:
media -> asr -> transcript -> cues -> subtitles. The word-level transcript is
the source of truth; every subtitle file is derived from it.
"""

__version__ = "0.1.0"
