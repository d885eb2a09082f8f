"""Times as people and formats write them: one formatter and one parser for every clock in accessmedia.

>>> clock(3723.5, millis=",")
'01:02:03,500'
>>> clock(83.9), clock(3723.0), clock(83.9, hours=True, pad=True), clock(83.0, hours=False, pad=True)
('1:23', '1:02:03', '00:01:23', '01:23')
>>> seconds("1:02:03"), seconds("12:30"), seconds("00:00:01,500", millis=True)
(3723.0, 750.0, 1.5)
"""

from __future__ import annotations

import re

_WHOLE = re.compile(r"\s*(?:(\d+):)?(\d{1,2}):(\d{2})\s*")
_MILLIS = re.compile(r"\s*(?:(\d+):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})\s*")


def clock(seconds: float, *, millis: str | None = None, hours: bool | None = None, pad: bool = False) -> str:
    """`seconds` as a clock.

    millis: "," (SRT) or "." (WebVTT, TTML) adds milliseconds, rounded, after two-digit hours: HH:MM:SS,mmm.
    Without it whole seconds (cut down): hours=None shows hours from an hour on (M:SS, H:MM:SS), True always,
    False never (minutes go past 59); pad makes the first field two digits wide.
    """
    if millis is not None:
        ms = max(0, int(round(seconds * 1000)))
        return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}{millis}{ms % 1000:03d}"
    whole = max(0, int(seconds))
    first = "02d" if pad else "d"
    if hours or (hours is None and whole >= 3600):
        return f"{whole // 3600:{first}}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    return f"{whole // 60:{first}}:{whole % 60:02d}"


def seconds(text: str, millis: bool = False) -> float:
    """Seconds from a clock: H:MM:SS or MM:SS (minutes and seconds under 60 where a larger field stands before
    them), or with millis HH:MM:SS,mmm / HH:MM:SS.mmm (hours optional). ValueError if it is none of them."""
    if millis:
        m = _MILLIS.fullmatch(text)
        if not m:
            raise ValueError(f"not a time: {text!r}")
        h, mi, sec, ms = m.groups()
        return (int(h or 0) * 3_600_000 + int(mi) * 60_000 + int(sec) * 1000 + int(ms.ljust(3, "0"))) / 1000
    m = _WHOLE.fullmatch(text)
    if not m or int(m.group(3)) >= 60 or (m.group(1) and int(m.group(2)) >= 60):
        raise ValueError(f"not a time: {text!r}")
    return float(int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + int(m.group(3)))
