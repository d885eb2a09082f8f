"""The web apps: the review editor (review.py) and the studio (studio.py), behind one guard (guard.py); what the
browser gets lives in static/ and templates/. They reach the library through accessmedia.api alone."""

from __future__ import annotations

__all__ = ["serve_review", "serve_studio"]


def serve_review(*args, **kwargs):
    from accessmedia.web.review import serve

    return serve(*args, **kwargs)


def serve_studio(*args, **kwargs):
    from accessmedia.web.studio import serve

    return serve(*args, **kwargs)
