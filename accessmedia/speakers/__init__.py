"""Who speaks: diarization (the algorithm), the ported networks it runs (networks/), words given to speaker turns,
the speakers' record, RTTM and scoring."""

from accessmedia.speakers.diarize import Diarization
from accessmedia.speakers.record import assign, labels, parse_naming, read, write
from accessmedia.speakers.settings import Diarizing, diarizing

__all__ = ["Diarization", "assign", "labels", "parse_naming", "read", "write", "Diarizing", "diarizing"]
