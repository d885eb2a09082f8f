"""A live session end to end with the default speech model (slow lane): a file read as a live source through the
real command line, translated as it goes; killed with SIGKILL and started again with the same command, it goes on
without repeating a line; the recording it kept is finished by `process`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from ..conftest import ROOT, eval_dir, run_cli

pytestmark = pytest.mark.slow


def _send_udp(clip, port: int) -> None:
    """An ffmpeg sender: the clip at its own speed as MPEG-TS over UDP to the port on loopback."""
    from accessmedia.core import media

    subprocess.run([media.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-re", "-i", str(clip), "-c:a", "aac",
                    "-f", "mpegts", f"udp://127.0.0.1:{port}?pkt_size=1316"], check=True)


def _lines(path) -> list[dict]:
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(raw))
        except json.JSONDecodeError:
            pass  # a line cut by the kill
    return out


def test_a_file_as_a_live_source_is_captioned_translated_and_kept_for_process(models_env, tmp_path):
    clip = eval_dir() / "npsc-medium-8s.mp3"
    out = tmp_path / "live"
    result = run_cli("live", str(clip), "--to", "en,ti", "-o", str(out), "--no-page", env=models_env)
    assert result.exit_code == 0, result.output
    lines = _lines(out / "npsc-medium-8s.live.jsonl")
    assert lines[0]["event"] == "start" and isinstance(lines[0]["wall"], float)
    nb = [x for x in lines if x.get("lang") == "nb" and x["final"]]
    en = [x for x in lines if x.get("lang") == "en"]
    assert len(nb) >= 2 and all(x["final"] and x["text"] and 0 <= x["start"] < x["end"] <= 9.5 for x in nb)
    assert [x["end"] for x in nb] == sorted(x["end"] for x in nb)

    assert en and all(x["text"] == x["text"].upper() for x in en)  # the toy model's English, one per source caption
    assert not [x for x in lines if x.get("lang") == "ti"]  # no model: said on the page, nothing invented
    assert (out / "npsc-medium-8s.mkv").stat().st_size > 10_000 and not list(out.glob("*.live*.mkv"))
    finished = run_cli("process", str(out / "npsc-medium-8s.mkv"), "-o", str(tmp_path / "done"), "-q", env=models_env)
    assert finished.exit_code == 0, finished.output
    assert (tmp_path / "done" / "npsc-medium-8s" / "npsc-medium-8s.nb.srt").read_text(encoding="utf-8").strip()


def test_a_session_killed_and_started_again_goes_on_without_repeating_a_line(models_env, tmp_path):
    from accessmedia.core import media

    clip = tmp_path / "king-45s.mp3"  # the first 45 s of king.mp3: read in real time, so the test costs what it reads
    subprocess.run([media.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(eval_dir() / "king.mp3"), "-t", "45",
                    "-c", "copy", str(clip)], check=True)
    out = tmp_path / "live"
    command = [sys.executable, "-m", "accessmedia.cli", "live", str(clip), "--realtime", "-o", str(out), "--no-page", "--name", "tale"]
    env = {**os.environ, **models_env}
    first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    record = out / "tale.live.jsonl"
    for _ in range(600):
        if record.exists() and sum(1 for x in _lines(record) if x.get("lang") == "nb" and x["final"]) >= 3:
            break
        time.sleep(0.1)
    first.send_signal(signal.SIGKILL)
    first.wait()
    before = [x for x in _lines(record) if x.get("lang") == "nb" and x["final"]]
    assert len(before) >= 3
    second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=400)
    assert second.returncode == 0, second.stderr[-2000:]
    lines = _lines(record)
    nb = [x for x in lines if x.get("lang") == "nb" and x["final"]]
    assert nb[: len(before)] == before and len(nb) > len(before) + 3  # it went on
    keys = [(x["start"], x["end"]) for x in nb]
    assert len(keys) == len(set(keys)) and all(a["end"] <= b["end"] for a, b in zip(nb, nb[1:]))  # nothing repeated
    assert [x["event"] for x in lines if "event" in x][:2] == ["start", "resume"]
    assert max(x["end"] for x in nb) > 38  # to the end of the recording


def test_who_speaks_is_told_live_and_carried_by_the_translations(models_env, tmp_path):
    out = tmp_path / "panel"
    result = run_cli("live", str(ROOT / "samples" / "panel.mp4"), "--to", "en", "-o", str(out), "--no-page", "--no-hls", env=models_env)
    assert result.exit_code == 0, result.output
    lines = _lines(out / "panel.live.jsonl")
    nb = [x for x in lines if x.get("lang") == "nb" and x["final"]]
    en = [x for x in lines if x.get("lang") == "en"]
    assert {x["speaker"] for x in nb} == {"Taler 1", "Taler 2"}  # the panel's two voices, each labelled
    by_start = {x["start"]: x["speaker"] for x in nb}
    assert en and all(x["speaker"] == by_start[x["start"]] for x in en)
    changes = sum(1 for a, b in zip(nb, nb[1:]) if a["speaker"] != b["speaker"])
    assert 2 <= changes <= len(nb) // 2  # turns, not a voice per line


def test_an_input_that_drops_is_opened_again_and_the_gap_is_marked(models_env, tmp_path):
    """An ffmpeg sender (UDP MPEG-TS) stopped and started again: the same session goes on, captions from both."""
    from ..web.test_review_security import free_port

    port, out = free_port(), tmp_path / "live"
    command = [sys.executable, "-m", "accessmedia.cli", "live", f"udp://127.0.0.1:{port}?timeout=1500000", "-o", str(out),
               "--no-page", "--no-hls", "--name", "strom", "--speakers", "off"]
    receiver = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **models_env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    record = out / "strom.live.jsonl"
    clip = eval_dir() / "npsc-medium-8s.mp3"

    try:
        for line in receiver.stdout:  # the models load (and install, the first time) before the input is opened
            if "models loaded" in line:
                break
        time.sleep(0.5)
        _send_udp(clip, port)
        time.sleep(3.0)  # the sender stops: the input ends (no packet for 1.5 s) and is opened again
        _send_udp(clip, port)
        time.sleep(8.0)
    finally:
        receiver.send_signal(signal.SIGINT)
        output, _ = receiver.communicate(timeout=120)
    assert record.exists(), output[-2000:]
    lines = _lines(record)
    gaps = [x for x in lines if x.get("event") == "gap"]
    nb = [x for x in lines if x.get("lang") == "nb" and x["final"]]
    assert len(gaps) == 1, output[-2000:]
    at = gaps[0]["at"]
    assert at > 9.0  # stream time goes on by the clock: the pause is in it
    assert [x for x in nb if x["end"] <= at] and [x for x in nb if x["start"] >= at]  # captions before and after
    assert [x["end"] for x in nb] == sorted(x["end"] for x in nb)


def test_every_second_sent_over_udp_is_heard_the_first_ones_too(tmp_path):
    """The live input hears a UDP stream from its first second: ffmpeg's `-fflags nobuffer` threw away what it probed,
    1.3 s at every (re)connection (the first words never captioned, every stream time 1.3 s early): 2.0 s of this
    3.4 s clip heard."""
    import threading

    from accessmedia.core import media
    from accessmedia.live.listen import SR, Source

    from ..web.test_review_security import free_port

    port = free_port()
    clip = eval_dir() / "npsc-short-3s.mp3"
    source = Source(f"udp://127.0.0.1:{port}?timeout=1500000", tmp_path / "s.live.mkv")

    def send() -> None:
        time.sleep(1.0)  # the input is open and waiting
        _send_udp(clip, port)
        time.sleep(2.5)  # the input ends (no packet for 1.5 s)
        source.stop()

    threading.Thread(target=send, daemon=True).start()
    heard = sum(piece.samples.shape[0] for piece in source.pieces()) / SR
    sent = media.probe(clip).duration
    assert sent - 0.3 <= heard <= sent + 0.3, (heard, sent)


def test_a_decoding_adds_as_many_tokens_as_its_fresh_audio_allows_and_no_more(eval_files):
    """The bound on a live decoding's new tokens (decoder.length_limit) is what CTranslate2 decodes: it halves its
    max_length, and a bound that forgot it would stop at half the tokens allowed."""
    import numpy as np

    from accessmedia.core import media
    from accessmedia.live.decoder import TOKENS_PER_SECOND, WindowDecoder
    from accessmedia.recognition import asr

    raw = subprocess.run([media.ffmpeg_exe(), "-v", "error", "-ss", "30", "-t", "10", "-i", str(eval_files / "king.mp3"),
                          "-f", "s16le", "-ac", "1", "-ar", "16000", "-"], capture_output=True, check=True).stdout
    window = np.frombuffer(raw, "<i2").astype(np.float32) / 32768.0  # 10 s of unbroken speech
    recognizer = asr.Recognizer()
    decoder = WindowDecoder(recognizer)
    tokens = lambda words: len(recognizer.tokenizer.encode(" " + " ".join(w.text for w in words)))  # noqa: E731
    whole = decoder.decode(window)
    prefix = [w.text for w in whole[:6]]
    bounded = decoder.decode(window, prefix, fresh=1.0)  # one second after the prefix: few tokens allowed
    allowed = TOKENS_PER_SECOND + 3
    assert tokens(whole) >= 25 and tokens(whole[6:]) > allowed  # the window holds far more than is allowed
    assert allowed - 2 <= tokens(bounded) <= allowed + 1  # words re-encoded may count a token more or less
