"""One exception type for every failure a user can fix.

Its message is a single line that says what went wrong and what to do;
the CLI prints it as is and exits non-zero.
"""


class AccessMediaError(Exception):
    """A problem with the user's input, models or environment."""

    def __init__(self, message: str, hint: str | None = None):
        self.message = " ".join(message.split())
        self.hint = " ".join(hint.split()) if hint else None
        super().__init__(self.one_line())

    def one_line(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message
