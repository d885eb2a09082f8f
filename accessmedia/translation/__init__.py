"""Translation: subtitles translated sentence by sentence with the installed engines, the routes between
languages, and the translations to check first."""

from accessmedia.translation.routes import best
from accessmedia.translation.settings import Translation
from accessmedia.translation.translate import translate_cues

__all__ = ["translate_cues", "best", "Translation"]
