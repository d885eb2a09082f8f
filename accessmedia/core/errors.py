"""One exception type for every failure a user can fix.

Its message is a single line that says what went wrong and what to do;
the CLI prints it as is and exits non-zero.
"""


class AccessMediaError(Exception):
    """A problem with the user's input, models or environment."""

    def __init__(self, message: str, hint: str | None = None, code: str | None = None):
        self.message = " ".join(message.split())
        self.hint = " ".join(hint.split()) if hint else None
        self.code = code  # what kind of problem, for a page to say it in its own words ("download_failed", "not_media")
        super().__init__(self.one_line())

    def one_line(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConflictError(AccessMediaError):
    """A change made against a state that is no longer current: someone else saved first, a name is taken, an
    upload's offset is not what the server has. `details` say what is there now (a web client gets 409 with them)."""

    def __init__(self, message: str, hint: str | None = None, details: dict | None = None):
        super().__init__(message, hint)
        self.details = dict(details or {})


class SubtitleError(AccessMediaError):
    """A subtitle file that cannot be read; names the file and line."""

    def __init__(self, path: str, line: int | None, message: str, hint: str | None = None):
        self.path, self.line = path, line
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}", hint, code="unreadable_subtitles")


_HINTS = {
    "ENOSPC": "free some space, then run again: finished work is kept",
    "EDQUOT": "free some space, then run again: finished work is kept",
    "EACCES": "choose a folder you may write to",
    "EPERM": "choose a folder you may write to",
    "EROFS": "the disk is read-only: choose another folder",
}


def from_os_error(exc: OSError) -> AccessMediaError:
    """An error of the system (disk full, no permission, read-only disk) as one line that says what to do."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    where = f": {exc.filename}" if exc.filename else ""
    return AccessMediaError(f"{exc.strerror or exc}{where}", _HINTS.get(name, "check the disk and the folder, then run again"))
