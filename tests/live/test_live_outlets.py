"""Where live captions go besides the page, without a speech model (issue 22): YouTube Live's caption ingestion
against a local server that checks the documented format and order, and the live HLS subtitle renditions made
beside real video segments from ffmpeg's HLS muxer, read back with the m3u8 package."""

from __future__ import annotations

import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import m3u8
import pytest

from accessmedia.live.hls import TS_CLOCK, LiveHLS
from accessmedia.live.youtube import YouTubeCaptions
from accessmedia.subtitles.cue import Cue

from ..conftest import ffmpeg

CAPTION = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}) region:reg1#cue1\n([^\n]+)\n")


class Ingestion:
    """A stand-in for YouTube's ingestion server: records every POST, fails the first `fail` of them."""

    def __init__(self, fail: int = 0):
        self.posts: list[dict] = []
        self.fail = fail
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("content-length", 0))
                data = self.rfile.read(length).decode("utf-8")
                query = parse_qs(urlsplit(self.path).query)
                if outer.fail > 0:
                    outer.fail -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                outer.posts.append({"path": urlsplit(self.path).path, "query": query, "type": self.headers.get("content-type"), "body": data})
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"2026-12-06T10:00:00.000\n")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/closedcaption?cid=abcd-1234"

    def captions(self) -> list[tuple[str, str]]:
        out = []
        for post in self.posts:
            body = post["body"]
            while body:
                m = CAPTION.match(body)
                assert m, f"not in YouTube's format: {body!r}"
                out.append((m.group(1), m.group(2)))
                body = body[m.end():]
        return out


def test_captions_are_posted_to_youtube_in_its_format_in_order_and_again_after_a_failure(tmp_path):
    server = Ingestion(fail=1)  # the first request is refused: its captions come again, in order
    seq_file = tmp_path / ".tale.youtube-seq"
    sender = YouTubeCaptions(server.url, seq_file)
    sender.start()
    now = time.time()
    sender.put(now, "Velkommen til konferansen.")
    sender.put(now + 2.5, "Vi begynner med\nen kort innledning.")
    time.sleep(1.2)
    sender.put(now + 5.0, "Takk.")
    sender.close()
    got = server.captions()
    assert [text for _, text in got] == ["Velkommen til konferansen.", "Vi begynner med<br>en kort innledning.", "Takk."]
    stamps = [s for s, _ in got]
    assert stamps == sorted(stamps) and stamps[0] == time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}"
    seqs = [int(p["query"]["seq"][0]) for p in server.posts]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs) and all(p["query"]["cid"] == ["abcd-1234"] for p in server.posts)
    assert all(p["type"].startswith("text/plain") and p["path"] == "/closedcaption" for p in server.posts)
    again = YouTubeCaptions(server.url, seq_file)  # a restarted session goes on with a higher seq
    again.start()
    again.put(time.time(), "Vi er tilbake.")
    again.close()
    assert int(server.posts[-1]["query"]["seq"][0]) > max(seqs)
    server.server.shutdown()


def test_a_youtube_url_must_be_http(tmp_path):
    from accessmedia.core.errors import AccessMediaError

    with pytest.raises(AccessMediaError):
        YouTubeCaptions("rtmp://a.rtmp.youtube.com/live2", "x")
    from ..conftest import run_cli

    result = run_cli("live", "udp://127.0.0.1:5000", "-o", str(tmp_path / "x"), "--youtube-captions", "rtmp://a.rtmp.youtube.com/live2")
    assert result.exit_code != 0 and "caption ingestion URL" in result.output and not (tmp_path / "x").exists()


def _video(folder, seconds: int, flags: str = "temp_file") -> None:
    """What listen.py's HLS output writes: video with a keyframe every 2 s, cut into 2 s segments."""
    ffmpeg("-f", "lavfi", "-i", f"testsrc=size=160x90:rate=10:duration={seconds}", "-f", "lavfi", "-i",
           f"sine=frequency=440:duration={seconds}", "-c:v", "libx264", "-g", "20", "-preset", "ultrafast", "-c:a", "aac",
           "-f", "hls", "-hls_time", "2", "-hls_list_size", "0", "-hls_flags", flags,
           "-hls_segment_filename", str(folder / "video_%05d.ts"), str(folder / "video.m3u8"))


def test_live_hls_has_a_webvtt_rendition_per_language_tied_to_the_video_segments(tmp_path):
    hls = LiveHLS(tmp_path, ["nb", "ar"])
    hls.begin(0.0)
    hls.add("nb", Cue(0.5, 1.5, ("Velkommen.",)))
    hls.add("nb", Cue(1.8, 2.6, ("Over to segmenter.",)))  # crosses 2.0 s: in both
    _video(tmp_path, 4)
    assert hls.poll() == 2
    hls.add("nb", Cue(1.0, 1.4, ("Sent.",)))  # arrives after its segment was written: goes into the next one
    hls.add("ar", Cue(4.2, 5.0, ("مرحبا",)))
    master = m3u8.load(str(tmp_path / "master.m3u8"))
    subs = {m.language: m for m in master.media if m.type == "SUBTITLES"}
    assert set(subs) == {"nb", "ar"} and subs["nb"].default == "YES" and subs["ar"].name == "العربية"
    assert master.playlists[0].uri == "video.m3u8" and master.playlists[0].stream_info.subtitles == "subs"
    nb = m3u8.load(str(tmp_path / "subs_nb.m3u8"))
    assert len(nb.segments) == 2 and not nb.is_endlist  # live: the playlist is open while the stream runs
    first = (tmp_path / nb.segments[0].uri).read_text(encoding="utf-8")
    import av

    with av.open(str(tmp_path / "video_00000.ts")) as c:
        pts = next(p for p in c.demux() if p.pts is not None)
        expected = round(pts.pts * pts.time_base * TS_CLOCK)
    assert first.startswith(f"WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:{expected},LOCAL:00:00:00.000\n")
    assert "Velkommen." in first and "Over to segmenter." in first
    second = (tmp_path / nb.segments[1].uri).read_text(encoding="utf-8")
    assert "LOCAL:00:00:02.000" in second and "Over to segmenter." in second and "Sent." not in second
    # the stream drops and comes back at stream time 10: a new stretch, a discontinuity in every playlist
    hls.begin(10.0)
    _video(tmp_path, 4, "temp_file+append_list+discont_start")
    hls.add("nb", Cue(10.3, 11.0, ("Tilbake.",)))
    hls.finish()
    nb = m3u8.load(str(tmp_path / "subs_nb.m3u8"))
    video = m3u8.load(str(tmp_path / "video.m3u8"))
    assert len(nb.segments) == len(video.segments) == 4 and nb.is_endlist
    assert [s.discontinuity for s in nb.segments] == [s.discontinuity for s in video.segments] and nb.segments[2].discontinuity
    third = (tmp_path / nb.segments[2].uri).read_text(encoding="utf-8")
    assert "LOCAL:00:00:10.000" in third and "Sent." in third and "Tilbake." in third
    ar = m3u8.load(str(tmp_path / "subs_ar.m3u8"))
    assert "مرحبا" in (tmp_path / ar.segments[2].uri).read_text(encoding="utf-8")
