"""People's work on the subtitles: corrections applied as revisions (and carried into the translations),
translation kits, the history and restore (with the speakers' names of the time), naming speakers."""

from accessmedia.editing.corrections import apply, history, kit_export, kit_import
from accessmedia.editing.naming import name_speakers, restore

__all__ = ["apply", "restore", "history", "kit_export", "kit_import", "name_speakers"]
