"""Live captions without a model: local agreement and commits, captions from a stream of committed words, the
session record and its resumption, the feed pages follow, and the caption page's app (issue 22)."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest

from starlette.testclient import TestClient

from accessmedia.core.transcript import Word
from accessmedia.live.agreement import Agreement
from accessmedia.live.captions import Captioner
from accessmedia.live.record import LiveRecord
from accessmedia.live.session import Feed
from accessmedia.pipeline.settings import Settings


def words(text: str, start: float, step: float = 0.4, speaker: str | None = None, sure: float = 0.5) -> list[Word]:
    """Words 0.4 s apart; `sure`: the model's probability of each (below agreement.SURE unless said)."""
    return [Word(t, round(start + i * step, 3), round(start + i * step + 0.35, 3), sure, speaker) for i, t in enumerate(text.split())]


def test_a_word_is_committed_when_two_hypotheses_agree_and_never_changes():
    a = Agreement()
    assert a.insert(words("Velkommen til", 0.0)) == []  # one hypothesis: nothing is sure yet
    assert [w.text for w in a.tail()] == ["Velkommen", "til"]
    committed = a.insert(words("Velkommen til konferansen", 0.0))
    assert [w.text for w in committed] == ["Velkommen", "til"] and a.committed_end == 0.75
    # the model changes its mind about the tail: nothing of it is committed, and the committed words stay
    assert a.insert(words("Velkommen til konfirmasjonen i dag", 0.0)) == []
    committed = a.insert(words("Velkommen til konfirmasjonen i dag.", 0.0))
    assert [w.text for w in committed] == ["konfirmasjonen", "i", "dag."]  # punctuation does not break agreement
    assert a.finish() == [] and a.committed_end == 1.95


def test_a_window_that_moved_on_does_not_commit_a_word_twice():
    a = Agreement()
    a.insert(words("og takket alle", 10.0))
    assert [w.text for w in a.insert(words("og takket alle som kom", 10.0))] == ["og", "takket", "alle"]
    # the window was trimmed: its times start at 0 again, offset 10.0; the committed words are still in it
    again = a.insert(words("takket alle som kom hit", 0.4), offset=10.0)
    assert [w.text for w in again] == ["som", "kom"] and [w.text for w in a.tail()] == ["hit"]  # "takket alle" not again
    assert [w.text for w in a.insert(words("alle som kom hit i dag", 0.8), offset=10.0)] == ["hit"]
    assert [w.text for w in a.tail()] == ["i", "dag"]


def test_committed_words_become_cues_by_the_subtitle_rules():
    c = Captioner(Settings().profile("nb"))
    assert c.add(words("Velkommen til konferansen om", 0.0)) == []  # no sentence end yet: held
    cues = c.add(words("inkludering og språk i Norge.", 1.6))
    assert len(cues) == 1 and cues[0].text.replace("\n", " ") == "Velkommen til konferansen om inkludering og språk i Norge."
    assert all(len(line) <= 42 for line in cues[0].lines) and len(cues[0].lines) <= 2
    held = c.add(words("Og så", 10.0))
    assert held == [] and c.due(10.5) == [] and [q.text for q in c.due(12.0)] == ["Og så"]  # a pause shows what was held
    long = c.add(words("en lang rekke ord uten punktum som bare fortsetter og fortsetter videre", 20.0, step=0.5))
    assert long and long[0].start == 20.0  # never held longer than LONGEST seconds of speech
    c.finish()
    two = c.add(words("Hei.", 40.0, speaker="S1") + words("Hallo", 41.0, speaker="S2"))
    assert [q.text for q in two] == ["Hei."]  # a change of speaker ends a caption


def test_the_record_is_appended_flushed_and_resumed_without_repeating(tmp_path):
    path = tmp_path / "tale.live.jsonl"
    r = LiveRecord(path)
    assert r.start(wall=1000.0) == 0.0
    assert r.caption(0.5, 2.0, "nb", "Velkommen.")["text"] == "Velkommen."
    r.caption(0.5, 2.0, "en", "Welcome.")
    r.caption(2.0, 2.5, "nb", "og", final=False)
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]  # on disk before close: flushed
    assert lines[0] == {"event": "start", "wall": 1000.0} and [x["lang"] for x in lines[1:]] == ["nb", "en", "nb"]
    assert lines[1]["final"] is True and lines[3]["final"] is False and set(lines[1]) == {"start", "end", "lang", "text", "speaker", "final", "wall"}
    r.close()
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"start": 3.0, "end": 4.0, "lang": "nb", "te')  # a line cut by kill -9
    again = LiveRecord(path)
    assert again.resumed and again.start_wall == 1000.0 and again.lines == 2
    assert again.start(wall=1030.0) == 30.0  # stream time goes on from the first start
    assert again.caption(0.5, 2.0, "nb", "Velkommen.") is None  # written before the restart: not again
    assert again.caption(31.0, 33.0, "nb", "Neste.")["start"] == 31.0
    again.close()


def test_the_feed_gives_each_follower_what_it_missed_and_wakes_it():
    feed = Feed()
    feed.publish({"text": "a"})
    feed.publish({"text": "b"})
    assert [x["text"] for x in feed.since(-1)] == ["a", "b"] and [x["text"] for x in feed.since(0)] == ["b"]
    got = []
    waiter = threading.Thread(target=lambda: got.extend(feed.since(1, timeout=5)))
    waiter.start()
    feed.publish({"text": "c"})
    waiter.join(2)
    assert [x["text"] for x in got] == ["c"]


def test_the_caption_app_serves_the_page_the_state_and_the_feed_from_where_a_browser_left():
    from accessmedia.web.live import create_app

    feed = Feed()
    feed.update(languages=["nb", "ar"], missing=["ti"], source="nb", running=True)
    for n, (lang, text) in enumerate([("nb", "Velkommen."), ("ar", "مرحبا."), ("nb", "Takk.")]):
        feed.publish({"start": n, "end": n + 1, "lang": lang, "text": text, "speaker": None, "final": True})
    feed.update(running=False)
    client = TestClient(create_app(feed), base_url="http://127.0.0.1:8090")
    page = client.get("/")
    assert page.status_code == 200 and 'role="log"' in page.text and "Direkte teksting" in page.text
    assert client.get("/overlay").status_code == 200
    state = client.get("/api/state").json()
    assert state["names"]["ar"] == "العربية" and state["dirs"]["ar"] == "rtl" and state["missing"] == ["ti"]
    events = client.get("/events", headers={"Last-Event-ID": "0"}).text  # a browser that had line 0 reconnects
    data = [json.loads(x[6:]) for x in events.splitlines() if x.startswith("data: {\"")]
    assert [d["text"] for d in data] == ["مرحبا.", "Takk."] and "event: end" in events
    shared = TestClient(create_app(feed, token="s3cret", host="0.0.0.0"), base_url="http://127.0.0.1:8090")
    assert shared.get("/").status_code == 403 and shared.get("/?token=s3cret").status_code == 200
    public = TestClient(create_app(feed, token="s3cret", host="0.0.0.0", public=True), base_url="http://127.0.0.1:8090")
    assert public.get("/api/state").status_code == 200  # --public-captions: the page reads without the token


def test_a_long_sentence_shows_its_first_cue_before_it_ends():
    c = Captioner(Settings().profile("nb"))
    text = ("Vi har samlet innvandrerråd, organisasjoner og kommuner fra hele landet, og i dag skal vi snakke om "
            "hvordan vi kan gjøre konferansen tilgjengelig for alle")
    early = c.add(words(text, 0.0, step=0.3))
    shown = " ".join(q.text.replace("\n", " ") for q in early)
    assert early and shown == "Vi har samlet innvandrerråd, organisasjoner og kommuner fra hele landet,"  # cut at the comma
    assert all(len(line) <= 42 for q in early for line in q.lines)
    rest = c.add(words("i", 9.0)) + c.finish()
    assert " ".join(q.text.replace("\n", " ") for q in early + rest) == text + " i"  # every word, once, in order


def test_a_word_is_committed_by_agreement_across_a_second_of_audio_or_once_the_model_heard_past_it():
    from accessmedia.live.agreement import AGREE_AFTER, MARGIN

    assert AGREE_AFTER == 0.9 and MARGIN == 1.5
    a = Agreement()
    assert a.settle(words("Velkommen til", 0.0), edge=1.0) == []
    assert a.settle(words("Velkommen til konferansen", 0.0), edge=1.5) == []  # 0.5 s after: too close to count
    committed = a.settle(words("Velkommen til konferansen", 0.0), edge=2.0)  # agrees with the one at 1.0 s
    assert [w.text for w in committed] == ["Velkommen", "til"] and [w.text for w in a.tail()] == ["konferansen"]
    assert a.settle(words("konferansen", 0.8), edge=2.2) == []  # nothing made 0.9 s before holds it
    assert [w.text for w in a.settle(words("konferansen i", 0.8), edge=2.7)] == ["konferansen"]  # the one at 1.5 s
    # the model has heard 1.5 s past these two: committed from one hypothesis
    assert [w.text for w in a.settle(words("i dag", 1.2), edge=3.6)] == ["i", "dag"] and a.committed_end == 1.95


def test_a_word_the_model_is_sure_of_is_committed_from_one_hypothesis_once_heard_past_but_not_at_the_edge():
    from accessmedia.live.agreement import SURE, SURE_MARGIN

    assert SURE == 0.7 and SURE_MARGIN == 0.6
    a = Agreement()
    hypothesis = words("Velkommen til", 0.0, sure=0.95) + words("konferansen", 0.8, sure=0.4) + words("i", 1.2, sure=0.95)
    # edge 2.0: "Velkommen" (ends 0.35) and "til" (0.75) are sure and 0.6 s inside; "konferansen" is not sure: it
    # stops the run, so "i" after it waits too, however sure
    assert [w.text for w in a.settle(hypothesis, edge=2.0)] == ["Velkommen", "til"]
    assert [w.text for w in a.tail()] == ["konferansen", "i"]
    b = Agreement()
    assert b.settle(words("Velkommen til", 0.0, sure=0.95), edge=1.0) == [words("Velkommen", 0.0, sure=0.95)[0]]
    # "til" ends at 0.75, 0.25 s before the edge: the model may still change it when it hears what follows
    assert [w.text for w in b.tail()] == ["til"]
    # words just committed, heard again after a pause: sure or not, they wait for a second decoding to agree
    c = Agreement()
    assert [w.text for w in c.settle(words("Somalia og Syria.", 0.0, sure=0.95), edge=2.0)] == ["Somalia", "og", "Syria."]
    assert c.settle(words("Syria.", 3.0, sure=0.95), edge=4.5) == []
    assert [w.text for w in c.settle(words("Syria. Det", 3.0, sure=0.95), edge=5.5)] == ["Syria.", "Det"]  # agreed


def test_a_clause_long_enough_is_shown_at_its_comma_without_waiting_for_the_sentence():
    from accessmedia.live.captions import CLAUSE

    c = Captioner(Settings().profile("nb"))
    assert c.add(words("Ja,", 0.0)) == []  # a short clause is held: it joins what follows
    first = c.add(words("når man har invandret fra Afghanistan,", 0.4))
    assert len(" Ja, når man har invandret fra Afghanistan,") > CLAUSE
    assert [q.text.replace("\n", " ") for q in first] == ["Ja, når man har invandret fra Afghanistan,"]
    assert c.add(words("Pakistan og Polen", 3.0)) == []  # the rest waits for its own end
    assert [q.text.replace("\n", " ") for q in c.finish()] == ["Pakistan og Polen"]


def test_live_voices_join_a_voice_like_one_heard_and_start_a_new_one_otherwise():

    from accessmedia.live.voices import AudioRing, LiveVoices

    v = LiveVoices(model=None, language="nb")
    e = np.eye(8, dtype=np.float32)
    a, b = e[0], e[1]
    assert v.label(v.match(a)) == "Taler 1" and v.label(v.match(b)) == "Taler 2"
    near_a = (a + 0.2 * b) / np.linalg.norm(a + 0.2 * b)
    assert v.match(near_a) == 0 and v.counts == [2, 1]  # the running mean of voice 1 moved towards it
    assert v.who(np.zeros(8000, dtype=np.float32)) == "Taler 1"  # half a second: the voice before it
    mixed = (e[0] + e[1] + e[2] + e[3]) / 2  # the end of one turn and the start of another: 0.5 like each
    c = e[4]
    assert v.match(mixed) == 0 and len(v.means) == 2  # the nearest voice, no new one from one doubtful stretch
    assert v.match(c) == 2 and len(v.means) == 3  # plainly unlike both: a new voice at once
    d = e[5]
    doubtful = (d + 0.6 * c) / np.linalg.norm(d + 0.6 * c)  # 0.51 like voice 3: neither plainly it nor plainly new
    assert v.match(doubtful) == 2 and v.match(doubtful) == 3  # a second alike doubtful stretch: a voice
    ring = AudioRing()
    ring.add(np.arange(16000 * 70, dtype=np.float32))  # more than it keeps: the oldest seconds go
    assert ring.offset == 10.0 and ring.span(10.0, 10.001)[0] == 16000 * 10
    ring.add(np.ones(16000, dtype=np.float32), at=100.0)  # after a gap: a new stretch
    assert ring.offset == 100.0 and ring.span(100.0, 101.0).shape[0] == 16000


def test_a_voice_recorded_beforehand_is_named_and_the_others_are_counted_apart():

    from accessmedia.live.voices import LiveVoices

    e = np.eye(8, dtype=np.float32)
    v = LiveVoices(model=None, language="nb", most=1)
    v.know("Kari Nordmann", e[0])  # the event's [[voice]] clip
    assert v.most == 2  # room for a voice nobody named
    near = (e[0] + 0.3 * e[1]) / np.linalg.norm(e[0] + 0.3 * e[1])
    assert v.label(v.match(near)) == "Kari Nordmann" and v.counts[0] == 6  # the clip counts as five stretches
    assert v.label(v.match(e[2])) == "Taler 1"  # the first voice nobody named is Taler 1, not Taler 2
    assert v.label(v.match(e[3])) in ("Kari Nordmann", "Taler 1")  # at most two voices: the nearest


def test_a_capture_device_is_opened_with_its_input_format(tmp_path):
    from accessmedia.live.listen import Source, device, is_file, is_listener

    assert device("pulse:default") == ("pulse", "default") and device("alsa:hw:1,0") == ("alsa", "hw:1,0")
    assert device("alsa:") == ("alsa", "default")
    assert device("srt://0.0.0.0:9000") is None and device("C:/opptak.mp4") is None and device("opptak.mp4") is None
    assert not is_file("pulse:default") and is_listener("pulse:default", ()) and is_file("opptak.mp4")
    cmd = Source("alsa:hw:1", tmp_path / "x.live.mkv").command(tmp_path / "x.live.mkv")
    assert cmd[cmd.index("-i") - 2:cmd.index("-i") + 2] == ["-f", "alsa", "-i", "hw:1"] and "-ss" not in cmd


def test_a_session_that_goes_on_keeps_what_it_recorded_before_in_order(tmp_path):
    from accessmedia.live.listen import Source
    from accessmedia.live.session import LiveSession

    for name in ("tale.mkv", "tale.live.mkv", "tale.live-2.mkv", "tale.live-10.mkv", "tale.live.jsonl"):
        (tmp_path / name).write_bytes(b"x")
    session = LiveSession("udp://127.0.0.1:5000", tmp_path, "tale")
    parts = session._earlier_parts()
    assert [p.name for p in parts] == ["tale.live-0.mkv", "tale.live.mkv", "tale.live-2.mkv", "tale.live-10.mkv"]
    assert not (tmp_path / "tale.mkv").exists()  # what an earlier run joined is part 0 now, not written over
    source = Source("udp://127.0.0.1:5000", tmp_path / "tale.live.mkv", parts=list(parts))
    assert source.next_part().name == "tale.live-5.mkv"  # after the four parts, and over none of them
    assert Source("udp://127.0.0.1:5000", tmp_path / "ny.live.mkv").next_part().name == "ny.live.mkv"
    other = Source("udp://127.0.0.1:5000", tmp_path / "tale.mkv", parts=[tmp_path / "tale.mkv"])  # named otherwise:
    assert other.next_part().name == "tale-2.mkv"  # a new name all the same (it looked for ".live." for ever)


def test_a_sender_that_pauses_while_the_input_stays_open_leaves_a_gap_in_stream_time():
    """Stream time follows the clock of a live input: a pause longer than PAUSE (no audio, the input still open) puts
    the next audio at its arrival; a burst that runs ahead of the clock (HLS segments) and a file do not."""
    from accessmedia.live.listen import SR, Audio
    from accessmedia.live.session import PAUSE, resumes_at

    block = np.zeros(SR // 4, dtype=np.float32)  # 0.25 s
    started = 1000.0  # the clock at stream time 0
    # audio on time: 10 s heard, the piece ending at 10.25 s arrives at 10.25 s by the clock
    assert resumes_at(Audio(block, arrived=started + 10.25), started, end=10.0) is None
    # a little late (jitter, a slow read) follows on
    assert resumes_at(Audio(block, arrived=started + 10.25 + PAUSE - 0.1), started, end=10.0) is None
    # the sender paused 2 s: the next audio is placed where the clock says, not after the last sample heard
    assert resumes_at(Audio(block, arrived=started + 12.25), started, end=10.0) == pytest.approx(12.0)
    # HLS: six seconds arrive at once, ahead of the clock, and the next burst comes when the clock reaches them
    assert resumes_at(Audio(block, arrived=started + 6.0), started, end=6.0) is None
    # a file read as a live source keeps its own time, however late its audio comes
    assert resumes_at(Audio(block, arrived=started + 30.0), started, end=10.0, live=False) is None
    # after a drop the first audio never goes back before what was heard
    assert resumes_at(Audio(block, gap=True, arrived=started + 5.0), started, end=10.0) == 10.0
    assert resumes_at(Audio(block, gap=True, arrived=started + 15.25), started, end=10.0) == pytest.approx(15.0)


def test_the_window_is_cut_before_the_last_sentence_so_the_next_one_keeps_what_led_to_it():
    """The window is cut `context` seconds before the last committed sentence's end, at a committed word that stays
    as the forced prefix (cut at the sentence end itself, each new sentence began the window unheard: committed WER on
    king.mp3 0.54 against 0.42); a window with no sentence end is cut at its last committed word once it is too long."""
    from accessmedia.live.recognize import SR, OnlineRecognizer

    online = OnlineRecognizer(recognizer=None, decoder=object(), window=10.0, longest=16.0, context=5.0)
    said = words("Nordmenn er nordlendinger trøndere og folk fra alle andre regioner. Nordmenn er også", 0.0, step=0.9)
    online.audio = np.zeros(int(10.5 * SR), np.float32)
    online.inside = said  # committed through "også" (ends 11.15 s)
    online.agreement.committed_end = said[-1].end
    online._trim()
    end_of_sentence = said[9].end  # "regioner." ends at 8.45 s
    kept = [w.text for w in online.inside]
    assert online.offset == pytest.approx(min(w.start for w in said if w.start >= end_of_sentence - 5.0), abs=1 / SR)
    assert kept[0] == "og" and kept[-3:] == ["Nordmenn", "er", "også"] and "regioner." in kept  # the sentence before, kept
    assert online.audio.shape[0] / SR == pytest.approx(10.5 - online.offset, abs=1 / SR)

    # no sentence end in it: cut at the last committed word once longer than `longest`
    online = OnlineRecognizer(recognizer=None, decoder=object(), window=10.0, longest=16.0, context=5.0)
    said = words(" ".join(["og"] * 18), 0.0, step=0.9)
    online.audio, online.inside = np.zeros(int(15.0 * SR), np.float32), said[:15]
    online.agreement.committed_end = said[14].end
    online._trim()
    assert online.offset == 0.0  # 15 s: not yet too long, and no sentence to cut before
    online.audio = np.zeros(int(16.5 * SR), np.float32)
    online._trim()
    assert online.offset == pytest.approx(said[14].end, abs=1 / SR) and online.inside == []
