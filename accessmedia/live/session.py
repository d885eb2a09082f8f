"""A live session: a stream captioned and translated as it happens. Models are loaded first; then the input is read
(listen.py), recognised with committed text (recognize.py), cut into captions by the subtitle rules (captions.py),
written to NAME.live.jsonl (record.py) and published to the caption page, the overlay and anyone listening; each
language is translated in its own thread, so a slow language never delays Norwegian. At the end the folder holds the
recording (NAME.mkv), ready for `accessmedia process` to finish it properly.
"""

from __future__ import annotations

import queue
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from accessmedia.core import media
from accessmedia.core.errors import AccessMediaError
from accessmedia.core.files import RecordingFiles
from accessmedia.core.progress import Reporter
from accessmedia.live.captions import Captioner
from accessmedia.live.hls import LiveHLS
from accessmedia.live.voices import AudioRing, LiveVoices
from accessmedia.live.youtube import YouTubeCaptions, check_url
from accessmedia.live.listen import SR, Audio, Source, is_file, parts_kept
from accessmedia.live.record import LiveRecord
from accessmedia.live.recognize import OnlineRecognizer
from accessmedia.pipeline.runtime import LoadedModels
from accessmedia.core.memory import give_back_memory
from accessmedia.pipeline.settings import Settings
from accessmedia.subtitles.cue import Cue

STEP = 0.5  # seconds of new audio at least between decodings (one takes 0.3 to 1.4 s on two cores, by CPU and beam)
BEHIND = 4.0  # seconds behind real time at which the unstable tail is no longer shown
CATCH_UP = 2.0  # seconds of audio per decoding while behind: fewer, longer decodings catch up
BEHIND_SPEAKERS = 8.0  # and at which voices are no longer told apart (a caption keeps the voice before it)
PAUSE = 1.5  # seconds an open input may give no audio before its next audio counts as after a gap
TRIM_EVERY = 30.0  # seconds between giving freed memory back to the system
KEEP = 4000  # lines kept in memory for browsers that reconnect (the record has them all)


def resumes_at(piece: Audio, started: float, end: float, live: bool = True) -> float | None:
    """The stream time of a piece that does not follow on, or None. Stream time is the audio heard, kept to the clock
    of a live input: after a drop (the input opened again), or when an input that stayed open gave no audio for more
    than PAUSE seconds (a sender that paused), the piece is placed at its arrival; a burst (HLS segments, the first
    second ffmpeg probes) only runs ahead of the clock and follows on. A file follows on: its time is its own."""
    if not (piece.gap or live):
        return None
    by_clock = piece.arrived - started - piece.samples.shape[0] / SR
    if piece.gap or by_clock - end > PAUSE:
        return max(end, by_clock)
    return None


@dataclass
class Feed:
    """What the session published, numbered, for pages that follow it (and come back after a break)."""

    lines: list[dict] = field(default_factory=list)
    first: int = 0  # the number of lines[0]
    state: dict = field(default_factory=dict)  # languages, missing models, lag, running
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, line: dict) -> None:
        with self._cond:
            self.lines.append({**line, "id": self.first + len(self.lines)})
            if len(self.lines) > KEEP:
                drop = len(self.lines) - KEEP
                del self.lines[:drop]
                self.first += drop
            self._cond.notify_all()

    def update(self, **state) -> None:
        with self._cond:
            self.state.update(state)
            self._cond.notify_all()

    def since(self, number: int, timeout: float = 0.0) -> list[dict]:
        """The lines after line `number` (-1: all kept), waiting up to `timeout` seconds for one."""
        with self._cond:
            if timeout and self.first + len(self.lines) <= number + 1 and self.state.get("running", True):
                self._cond.wait(timeout)
            return [x for x in self.lines if x["id"] > number]


@dataclass
class LiveSession:
    url: str
    out: Path
    name: str
    settings: Settings = field(default_factory=Settings)
    realtime: bool = False
    input_options: Sequence[str] = ()
    loaded: LoadedModels = field(default_factory=LoadedModels)
    reporter: Reporter = field(default_factory=Reporter)
    feed: Feed = field(default_factory=Feed)
    source: Source | None = None
    hls: LiveHLS | None = None  # DIR/live: the video passed through, a WebVTT rendition per language
    with_hls: bool = True
    youtube: str | None = None  # YouTube Live's caption ingestion URL
    youtube_lang: str | None = None  # the language sent there (default: the spoken one)
    _youtube: YouTubeCaptions | None = None
    _start_wall: float = 0.0
    _speaker_at: dict = field(default_factory=dict)  # a caption's start -> its speaker, for its translations

    def __post_init__(self):
        if self.youtube:
            check_url(self.youtube)  # said before minutes of loading models, not after

    @property
    def files(self) -> RecordingFiles:
        return RecordingFiles(Path(self.out), self.name)

    @property
    def record_path(self) -> Path:
        return Path(self.out) / f"{self.name}.live.jsonl"

    def prepare(self) -> tuple[OnlineRecognizer, dict, LiveVoices | None]:
        """Load every model before the input is opened: the speech model, each language's translation route, and the
        speaker model unless speakers are off."""
        from accessmedia.pipeline import stages

        rec = self.settings.recognition
        source = self.settings.language
        recognizer = self.loaded.recognizer(rec.load, source, self.reporter.note)
        online = OnlineRecognizer(recognizer, beam_size=max(1, min(rec.decode.beam_size, 3)), hotwords=tuple(rec.decode.hotwords),
                                  sentence_end=self.settings.profile(source).sentence_end)
        found = stages.routes(source, list(self.settings.translation.targets), self.settings.translation.routes)
        missing = sorted(t for t, route in found.items() if route is None)
        self.feed.update(languages=[source, *sorted(t for t, r in found.items() if r)], missing=missing, running=True,
                         source=source, name=self.name)
        voices = None
        if not self.settings.speakers.off:
            model, _info = self.loaded.speaker_model(self.settings.speakers, self.reporter.note)
            voices = LiveVoices(model, source, most=self.settings.speakers.fixed or self.settings.speakers.high)
            for person, clip in self.settings.speakers.references:  # the event's [[voice]] clips: these voices have names
                vector = stages.clip_voice(clip, model)
                if vector is not None:
                    voices.know(person, vector)
        return online, {t: r for t, r in found.items() if r}, voices

    def run(self, stop: threading.Event | None = None) -> Path:
        """Caption the input until it ends (or `stop` is set); returns the record's path."""
        stop = stop or threading.Event()
        Path(self.out).mkdir(parents=True, exist_ok=True)
        online, routes, voices = self.prepare()
        record = LiveRecord(self.record_path)
        resumed = record.resumed
        source_lang = self.settings.language
        ring = AudioRing()
        lag = 0.0

        def identify(start: float, end: float) -> str | None:
            if lag >= BEHIND_SPEAKERS:  # behind real time: speakers are shed before anything else said
                return voices.label(voices.last)
            return voices.who(ring.span(start, end))

        captioner = Captioner(self.settings.profile(source_lang), identify=identify if voices else None)
        if self.with_hls:
            (Path(self.out) / "live").mkdir(exist_ok=True)
            self.hls = LiveHLS(Path(self.out) / "live", [source_lang, *routes])
        if self.youtube:
            self._youtube = YouTubeCaptions(self.youtube, Path(self.out) / f".{self.name}.youtube-seq",
                                            lambda state: self.feed.update(youtube=state))
            self._youtube.start()
        workers = {t: _Translator(t, route, self, record) for t, route in routes.items()}
        for w in workers.values():
            w.start()

        def emit(cues: list[Cue]) -> None:
            shown = []
            for cue in cues:
                who = captioner.spoken_by.pop(cue, None)
                self._speaker_at[round(cue.start, 3)] = who
                while len(self._speaker_at) > KEEP:
                    del self._speaker_at[next(iter(self._speaker_at))]
                if (line := record.caption(cue.start, cue.end, source_lang, cue.text, who)) is not None:
                    shown.append(line)
                    self.deliver(source_lang, cue)
            for line in shown:
                self.feed.publish(line)
            if shown:
                for w in workers.values():
                    w.inbox.put(cues)

        started = None
        decoded_to = 0.0
        seek = 0.0
        if resumed and is_file(self.url):
            seek = max(record.last_end.values(), default=0.0)
        self.reporter.note(f"models loaded; reading {self.url} ...")
        self.source = Source(self.url, Path(self.out) / f"{self.name}.live.mkv", self.realtime, self.input_options, seek,
                             hls=self.hls.folder if self.hls else None)
        if resumed:
            self.source.parts.extend(self._earlier_parts())
        watcher = threading.Thread(target=lambda: (stop.wait(), self.source.stop()), daemon=True)
        watcher.start()
        arrived: queue.Queue = queue.Queue()  # read in its own thread: decoding never holds up the input

        def read() -> None:
            try:
                for piece in self.source.pieces():
                    arrived.put(piece)
            finally:
                arrived.put(None)

        threading.Thread(target=read, daemon=True, name="live-input").start()
        ended, trimmed, told = False, time.monotonic(), 0
        live = not is_file(self.url)  # a live input's stream time keeps to the clock; a file's is its own
        paced = live or self.realtime  # a file read as fast as it goes has no clock to fall behind: no voice is shed
        try:
            while not ended:
                pieces = [arrived.get()]
                while not arrived.empty():  # everything that came while the last window was decoded
                    pieces.append(arrived.get_nowait())
                if pieces[-1] is None:
                    ended, pieces = True, pieces[:-1]
                for n, piece in enumerate(pieces, 1):
                    if started is None:  # the first audio: the session starts (or goes on after a restart)
                        at = record.start()
                        self._start_wall = record.start_wall
                        if resumed and is_file(self.url):
                            at = seek  # a file goes on where the record ends
                        started = piece.arrived - piece.samples.shape[0] / SR - at  # the clock at stream time 0
                        online.offset = online.agreement.committed_end = ring.offset = at
                        decoded_to = at
                        if self.hls:
                            self.hls.begin(at)
                    at = resumes_at(piece, started, online.end, live)
                    ring.add(piece.samples, at)
                    if at is not None:  # a drop or a pause: marked, and the HLS subtitles start a new stretch
                        record.note("gap", at=round(at, 3))
                        if self.hls:
                            self.hls.begin(at)
                    emit(captioner.add(online.add(piece.samples, at)))
                    if paced and n < len(pieces):
                        continue  # a live input: one decoding of all that came while the last was decoded (the newest audio
                        # heard as soon as possible; stepping through the backlog half a second at a time kept the
                        # captions 2 to 4 s behind on a slow CPU, where a decoding takes longer than STEP)
                    hurry = lag >= BEHIND if paced else True  # a file read at full speed: the longer stretches too
                    if online.end - decoded_to < (CATCH_UP if hurry else STEP):
                        continue  # decoded every STEP seconds of audio at least (a file read at full speed: every STEP)
                    hypothesis = online.step()
                    decoded_to = online.end
                    if time.monotonic() - trimmed > TRIM_EVERY:  # windows of every length come and go for hours
                        give_back_memory()
                        trimmed = time.monotonic()
                        if self.source.said > told:  # what ffmpeg said of the input, for the operator
                            self.reporter.warn(f"the input: {self.source.said - told} message(s) from ffmpeg, the last: "
                                               f"{self.source.error(wait=False)}")
                            told = self.source.said
                    emit(captioner.add(hypothesis.committed))
                    lag = (time.time() - started) - online.end if paced else 0.0
                    self.feed.update(lag=round(lag, 2))
                    if self.hls:
                        self.hls.poll()
                    if hypothesis.tail and lag < BEHIND:  # behind real time: the unstable tail is the first to go
                        line = record.caption(hypothesis.tail[0].start, hypothesis.tail[-1].end, source_lang,
                                              " ".join(w.text for w in hypothesis.tail), final=False)
                        self.feed.publish(line)
                    if not hypothesis.tail:  # the speaker paused: what is held is shown
                        emit(captioner.due(online.end))
            if started is None:
                raise AccessMediaError(f"no audio came from {self.url}: {self.source.error() or 'the input has no sound'}",
                                       "check the address and that the sender is sending (or the file has an audio track)")
            emit(captioner.add(online.finish()))
            emit(captioner.finish())
        finally:
            for w in workers.values():
                w.inbox.put(None)
            for w in workers.values():
                w.join(timeout=60)
            record.close()
            if self._youtube:
                self._youtube.close()
            if self.hls:
                self.hls.finish()
            self.feed.update(running=False)
        self._keep_recording()
        return self.record_path

    def deliver(self, lang: str, cue: Cue) -> None:
        """A caption to the outlets beside the page: the live HLS rendition, YouTube."""
        if self.hls:
            self.hls.add(lang, cue)
        if self._youtube and lang == (self.youtube_lang or self.settings.language):
            self._youtube.put(self._start_wall + cue.start, cue.text)

    def _earlier_parts(self) -> list[Path]:
        """What a session that goes on (after kill -9, or started again after it ended) recorded before, in order: its
        joined recording first (kept as part 0, so the new one holds it), then NAME.live.mkv, NAME.live-2.mkv ..."""
        out = Path(self.out)
        joined = out / f"{self.name}.mkv"
        if joined.is_file() and not (out / f"{self.name}.live-0.mkv").exists():
            joined.replace(out / f"{self.name}.live-0.mkv")
        return parts_kept(out / f"{self.name}.live.mkv")

    def _keep_recording(self) -> None:
        """The pieces of what arrived, joined into NAME.mkv: the recording `accessmedia process` finishes. Written
        under another name and renamed when whole; the pieces are removed only then (and empty ones, which hold
        nothing: an input opened as the session was killed)."""
        found = [p for p in (self.source.parts if self.source else []) if p.is_file()]
        parts = [p for p in found if p.stat().st_size > 0]
        target = Path(self.out) / f"{self.name}.mkv"
        if len(parts) == 1:
            parts[0].replace(target)
        elif parts:
            listing = Path(self.out) / f".{self.name}.parts.txt"
            joining = Path(self.out) / f".{self.name}.joining.mkv"
            listing.write_text("".join(f"file '{p.resolve().as_posix()}'\n" for p in parts), encoding="utf-8")
            done = subprocess.run([media.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0",
                                   "-i", str(listing), "-c", "copy", "-f", "matroska", str(joining)], capture_output=True)
            listing.unlink()
            if done.returncode != 0:
                joining.unlink(missing_ok=True)
                self.reporter.warn(f"the recording's {len(parts)} parts ({self.name}.live*.mkv) could not be joined: "
                                   f"{done.stderr.decode('utf-8', 'replace').strip()[-200:]}; they are kept as they are")
                return
            joining.replace(target)
        for p in found:
            if p.exists():
                p.unlink()


class _Translator(threading.Thread):
    """One language's translations, in its own thread with its own cache connection."""

    def __init__(self, target: str, route, session: LiveSession, record: LiveRecord):
        super().__init__(daemon=True, name=f"live-{target}")
        self.target, self.route, self.session, self.record = target, route, session, record
        self.inbox: queue.Queue = queue.Queue()

    def run(self) -> None:
        from accessmedia.translation.translate import Engine, TranslationCache, translate_cues

        s = self.session.settings
        engine = Engine(TranslationCache(Path(self.session.out) / ".cache" / "translations.sqlite3"),
                        lambda model: self.session.loaded.translator(model, s.translation), s.translation.beam_size)
        profile, source_profile = s.profile(self.target), s.profile(s.language)
        while (cues := self.inbox.get()) is not None:
            try:
                done = translate_cues(cues, self.target, self.route, engine, profile, s.translation.protected, source_profile)
            except Exception as exc:  # a language that fails says so on the page; Norwegian goes on
                self.session.feed.update(**{f"error_{self.target}": str(exc)[:200]})
                continue
            for cue in done.cues:
                line = self.record.caption(cue.start, cue.end, self.target, cue.text, self.session._speaker_at.get(round(cue.start, 3)))
                if line is not None:
                    self.session.deliver(self.target, cue)
                    self.session.feed.publish(line)

