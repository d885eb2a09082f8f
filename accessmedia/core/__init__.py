"""What every room shares: errors, language codes, files written safely, where a recording's files live, the ledger of
what accessmedia wrote, clocks, media probing and decoding, the transcript records, progress events."""

from accessmedia.core.errors import AccessMediaError
from accessmedia.core.files import RecordingFiles
from accessmedia.core.fsutil import write_atomic
from accessmedia.core.ledger import Ledger
from accessmedia.core.media import probe
from accessmedia.core.progress import Display, Reporter
from accessmedia.core.transcript import Segment, Transcript, Word

__all__ = ["AccessMediaError", "RecordingFiles", "Ledger", "probe", "Transcript", "Segment", "Word", "write_atomic", "Reporter", "Display"]
