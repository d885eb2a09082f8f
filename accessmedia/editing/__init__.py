"""People's work on the subtitles: corrections applied as revisions (and carried into the translations),
translation kits, the history and restore, naming speakers."""

from accessmedia.editing.corrections import apply, history, kit_export, kit_import, restore
from accessmedia.editing.naming import name

__all__ = ["apply", "restore", "history", "kit_export", "kit_import", "name"]
