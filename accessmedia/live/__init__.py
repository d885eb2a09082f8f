"""Live captions on a stream (empty until the live work lands): ingest, streaming recognition, live cues."""

__all__: list[str] = []
