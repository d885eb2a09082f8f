"""Live captions on a stream: the input read as it arrives (listen), streaming recognition with committed words
(agreement, recognize), captions by the subtitle rules (captions), the session's record (record), and the session
that joins them and translates each language in its own thread (session)."""

__all__ = ["LiveSession", "Feed", "LiveRecord"]

from accessmedia.live.record import LiveRecord  # noqa: E402
from accessmedia.live.session import Feed, LiveSession  # noqa: E402
