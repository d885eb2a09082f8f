"""Live HLS and YouTube while a stream runs (issue 22): the real command captions the sample video read as a live
source; while it is still running, its live playlists are read with the m3u8 package and the stream is played by
hls.js in Chromium (/watch), whose subtitle track gets the captions; YouTube's ingestion (a local stand-in that checks
the format) receives the Norwegian captions in order."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import m3u8
import pytest

from ..chromium import chromium
from ..conftest import ROOT, SAMPLE
from ..live.test_live_outlets import Ingestion
from ..web.test_review_security import free_port

pytestmark = pytest.mark.slow  # the speech model and a browser


def test_live_hls_plays_in_hls_js_with_captions_while_the_stream_runs_and_youtube_gets_them(models_env, tmp_path):
    youtube = Ingestion()
    out, port = tmp_path / "live", free_port()
    command = [sys.executable, "-m", "accessmedia.cli", "live", str(SAMPLE), "--realtime", "--to", "en", "-o", str(out),
               "--port", str(port), "--youtube-captions", youtube.url]
    proc = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **models_env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        master = out / "live" / "master.m3u8"
        for _ in range(600):
            if master.exists() or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert master.exists() and proc.poll() is None, "no live HLS while the stream runs"
        playlist = m3u8.load(str(master))
        assert {m.language for m in playlist.media if m.type == "SUBTITLES"} == {"nb", "en"}
        subs = m3u8.load(str(out / "live" / "subs_nb.m3u8"))
        assert subs.segments and not subs.is_endlist
        with chromium() as browser:
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/watch?lang=nb")
            page.wait_for_function("window.liveHls && window.liveHls.subtitleTracks.length === 2", timeout=30000)
            page.wait_for_function("""(() => { const v = document.getElementById('video');
                return Array.from(v.textTracks).some(t => t.language === 'nb' && t.cues && t.cues.length > 0); })()""", timeout=60000)
            running = proc.poll() is None
            texts = page.evaluate("""Array.from(document.getElementById('video').textTracks).filter(t => t.language === 'nb')
                .flatMap(t => Array.from(t.cues || []).map(c => c.text))""")
            page.wait_for_function("document.getElementById('video').currentTime > 0.5", timeout=60000)  # it plays
        assert running, "the captions reached the player only after the stream ended"
        assert texts and all(t.strip() for t in texts)
        output, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, output[-2000:]
    finally:
        if proc.poll() is None:
            proc.kill()
    final = m3u8.load(str(out / "live" / "subs_nb.m3u8"))
    video = m3u8.load(str(out / "live" / "video.m3u8"))
    assert final.is_endlist and len(final.segments) == len(video.segments)
    sent = [text for _, text in youtube.captions()]
    assert sent and all(sent)  # the Norwegian captions, one timestamp line each, checked by Ingestion
    youtube.server.shutdown()
