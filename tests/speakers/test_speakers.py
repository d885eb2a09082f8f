"""Who speaks, as pure rules: captions (a change of speaker ends a cue, dashes when two share one, labels
at changes by the style profile, voices in WebVTT, agents in TTML, labels in SRT), translation keeping
speakers, the transcript in turns, words given to speakers, RTTM, the scorer, clustering, the checkpoint
reader."""

from __future__ import annotations

import pickle
import zipfile
from dataclasses import replace

import numpy as np
import pytest

from accessmedia.speakers import der
from accessmedia.speakers import rttm
from accessmedia.speakers import clusters as speaker_clusters
from accessmedia.speakers import record as speakers
from accessmedia.subtitles import formats as subtitles
from accessmedia.subtitles import voices
from accessmedia.subtitles.segmenter import build_cues
from accessmedia.core.errors import AccessMediaError
from accessmedia.pipeline.settings import diarizing
from accessmedia.subtitles.style import profile_from
from accessmedia.core.transcript import Segment, Transcript, Word, readable_text
from accessmedia.subtitles.ttml import compose_ttml, parse_ttml

NB = replace(profile_from("nb"), speaker_labels="names")  # the whole name at every change (the default shortens it)
LABELS = {"S1": "Amina Yusuf", "S2": "Piotr Nowak"}


def said(text: str, start: float, who: str | None, step: float = 0.35) -> list[Word]:
    out, t = [], start
    for w in text.split():
        out.append(Word(w, round(t, 3), round(t + step - 0.05, 3), 0.9, who))
        t += step
    return out


PANEL = (said("Velkommen til panelet. I dag snakker vi om språk og arbeid i Norge.", 0.0, "S1")
         + said("Takk.", 5.0, "S2") + said("Ja.", 5.6, "S1")
         + said("Hva er viktigst for å få den første jobben?", 7.0, "S2")
         + said("Nettverk betyr mye, og språket er nøkkelen til alt annet. Derfor må kommunene gi språkopplæring "
                "til alle som kommer hit, fra første dag.", 11.0, "S1"))


def who_in(cue) -> list[str]:
    return voices.voices(cue.lines)


def test_a_change_of_speaker_ends_a_cue_unless_two_short_lines_share_one_with_dashes():
    cues = build_cues(PANEL, NB, LABELS)
    for cue in cues:
        people = who_in(cue)
        assert len(people) in (1, 2)
        if len(people) == 2:  # two speakers: one line each, each with a dash
            assert len(cue.lines) == 2 and all(voices.units([line])[0].dashed for line in cue.lines)
    shared = [c for c in cues if len(who_in(c)) == 2]
    assert shared and who_in(shared[0]) == ["Piotr Nowak", "Amina Yusuf"]  # "Takk." / "Ja."
    # every word is in a cue of its own speaker
    for w in PANEL:
        cue = next(c for c in cues if c.start <= w.start + 1e-6 and w.start < c.end)
        assert LABELS[w.speaker] in who_in(cue)


def test_names_at_each_change_of_speaker_not_on_every_cue():
    cues = build_cues(PANEL, NB, LABELS)
    firsts = [c for c in cues if len(who_in(c)) == 1]
    labelled = [c for c in firsts if voices.units(c.lines)[0].labelled]
    starts = [c.start for c in labelled]
    at = lambda t: any(t - NB.lead_in - 0.001 <= s <= t + 0.001 for s in starts)  # noqa: E731 (a lead-in allowed)
    assert starts[0] == 0.0 and at(7.0) and at(11.0)
    turn_of = {}
    for c in firsts:
        turn_of.setdefault(who_in(c)[0], []).append(c)
    continued = [c for c in firsts if c not in labelled]
    assert continued, "a turn over two cues: only its first cue is labelled"
    assert plain_first(labelled[0]).startswith("Amina Yusuf: Velkommen")
    for c in cues:  # a label is never cut from its words, and lines keep their length
        assert all(len(subtitles.markup.plain(line)) <= NB.max_chars_per_line for line in c.lines)
        assert not any(subtitles.markup.plain(line).rstrip().endswith(":") for line in c.lines)


def plain_first(cue) -> str:
    return subtitles.markup.plain(cue.lines[0])


def test_the_profile_chooses_names_dashes_or_nothing():
    dashes = build_cues(PANEL, replace(NB, speaker_labels="dashes"), LABELS)
    assert not any(voices.units(c.lines)[0].labelled for c in dashes)
    assert any(voices.units(c.lines)[0].dashed for c in dashes if len(who_in(c)) == 2)
    nothing = build_cues(PANEL, replace(NB, speaker_labels="none"), LABELS)
    shown = " ".join(subtitles.markup.plain(c.text) for c in nothing)
    assert "Amina" not in shown and "- " not in shown
    assert all(who_in(c) for c in nothing)  # WebVTT still says who speaks
    with pytest.raises(AccessMediaError, match="speaker_labels"):
        profile_from("nb", {"speaker_labels": "colours"}, "stil.toml")


def test_one_speaker_gets_no_labels_and_the_same_captions_as_before():
    words = said("Velkommen til konferansen. I dag skal vi snakke om integrering.", 0.0, "S1")
    plain = [replace(w, speaker=None) for w in words]
    assert build_cues(words, NB, {"S1": "Taler 1"}) == build_cues(plain, NB)


def test_formats_carry_the_speaker_each_in_its_own_way():
    cues = build_cues(PANEL, NB, LABELS)
    vtt = subtitles.compose(cues, "vtt", "nb")
    srt = subtitles.compose(cues, "srt", "nb")
    assert "<v Amina Yusuf>Amina Yusuf: Velkommen" in vtt
    assert "<v " not in srt and "Amina Yusuf: Velkommen" in srt and "\n- Piotr Nowak: Takk.\n- Amina Yusuf: Ja.\n" in srt
    ttml = compose_ttml(cues, "nb")
    assert '<ttm:name type="full">Amina Yusuf</ttm:name>' in ttml and 'ttm:agent="a1"' in ttml
    back, _, _ = parse_ttml(ttml)
    assert [who_in(c) for c in back] == [who_in(c) for c in cues]
    again = subtitles.parse(vtt, "x.nb.vtt", "vtt").cues
    assert [who_in(c) for c in again] == [who_in(c) for c in cues]


def test_rtl_names_and_text():
    words = said("مرحبا بكم في المؤتمر الوطني", 0.0, "S1") + said("شكرا جزيلا لكم جميعا", 4.0, "S2")
    cues = build_cues(words, profile_from("ar"), {"S1": "أمينة يوسف", "S2": "Piotr Nowak"})
    assert cues[0].lines[0].startswith("<v أمينة يوسف>أمينة يوسف: مرحبا")
    ttml = compose_ttml(cues, "ar")
    assert 'tts:direction="rtl"' in ttml and "أمينة يوسف</ttm:name>" in ttml


class Upper:
    """A stand-in for a translation model: upper case, and the sentences it was given."""

    def __init__(self):
        self.seen = []

    def translate(self, sentences, steps, progress=None):
        self.seen.extend(sentences)
        return [s.upper() for s in sentences]


def test_translation_never_joins_two_speakers_and_keeps_voices_labels_and_dashes():
    from accessmedia.models.argos import InstalledPackage
    from accessmedia.translation.translate import translate_cues

    # no full stop where the speaker changes: only the change ends the first sentence
    cues = build_cues(said("Hva er viktigst for deg", 0.0, "S2") + said("nettverk betyr mye for meg.", 2.0, "S1"), NB, LABELS)
    engine = Upper()
    step = InstalledPackage("nb", "en", None, "x", "1")
    out = translate_cues(cues, "en", [step], engine, profile_from("en"), (), NB).cues
    assert engine.seen == ["Hva er viktigst for deg", "nettverk betyr mye for meg."]  # never one sentence over the change
    assert [who_in(c) for c in out] == [who_in(c) for c in cues]
    assert any(voices.units(c.lines)[0].labelled and plain_first(c).startswith("Piotr Nowak: HVA") for c in out)


def test_rename_changes_voices_and_labels_only():
    line = "<v Taler 1>- Taler 1: Taler 1 sa det.</v>"
    assert voices.rename_line(line, "Taler 1", "Amina Yusuf") == "<v Amina Yusuf>- Amina Yusuf: Taler 1 sa det.</v>"
    assert voices.rename_line("Taler 10: hei", "Taler 1", "X") == "Taler 10: hei"
    assert speakers.parse_naming(" Taler 1 = Amina  Yusuf ") == ("Taler 1", "Amina Yusuf")
    for bad in ("Taler 1", "=Amina", "Taler 1=<b>Amina</b>", "Taler 1=A: B"):
        with pytest.raises(AccessMediaError):
            speakers.parse_naming(bad)


def transcript_of(words: list[Word]) -> Transcript:
    return Transcript("nb", 20.0, (Segment(words[0].start, words[-1].end, " ".join(w.text for w in words), tuple(words)),))


def test_words_get_speakers_segments_split_and_changes_move_to_the_pause():
    words = [replace(w, speaker=None) for w in said("Dette er første taler. Og her er den andre taleren nå.", 0.0, None)]
    words = [replace(w, start=w.start + (0.6 if i >= 4 else 0), end=w.end + (0.6 if i >= 4 else 0)) for i, w in enumerate(words)]
    # the turn boundary found by diarization is 0.3 s late: the pause after "taler." is where it belongs
    turns = [(0.0, words[4].start + 0.3, "0"), (words[4].start + 0.3, 10.0, "1")]
    out, order = speakers.assign(transcript_of(words), turns)
    assert [w.speaker for w in out.words] == ["S1"] * 4 + ["S2"] * 7 and order == {"0": "S1", "1": "S2"}
    assert [s.speaker for s in out.segments] == ["S1", "S2"] and out.segments[1].text.startswith("Og her")
    assert [s["label"] for s in out.speakers] == ["Taler 1", "Taler 2"]
    again = Transcript.from_json(out.to_json())
    assert again == out
    text = readable_text(out, {"S2": "Piotr Nowak"})
    assert text.startswith("Taler 1 [00:00:00]: Dette er første taler.\n\nPiotr Nowak [00:00:02]: Og her")


def test_a_speaker_without_words_is_nobody():
    words = said("Bare en stemme her.", 0.0, None)
    out, order = speakers.assign(transcript_of(words), [(0.0, 2.0, "0"), (5.0, 9.0, "1")])  # 5-9 s: applause
    assert order == {"0": "S1"} and len(out.speakers) == 1
    assert speakers.turns_in_order([(0.0, 2.0, "0"), (5.0, 9.0, "1")], order) == [(0.0, 2.0, "S1")]


def test_speakers_option():
    assert diarizing("3").fixed == 3 and diarizing("auto").fixed is None and diarizing("off").off
    for bad in ("0", "many", "-2", "1.5"):
        with pytest.raises(AccessMediaError, match="--speakers"):
            diarizing(bad)


def test_rttm_round_trip():
    text = rttm.dumps("panel opptak", [(1.0, 2.5, "Amina Yusuf"), (3.0, 4.0, "Taler 2")])
    assert text.splitlines()[0] == "SPEAKER panel_opptak 1 1.000 1.500 <NA> <NA> Amina_Yusuf <NA> <NA>"
    assert rttm.loads(text) == {"panel_opptak": [(1.0, 2.5, "Amina_Yusuf"), (3.0, 4.0, "Taler_2")]}
    with pytest.raises(AccessMediaError, match="line 1"):
        rttm.loads("SPEAKER x 1 abc")


def test_der_follows_the_shared_convention():
    ref = [(0.0, 10.0, "a"), (10.0, 20.0, "b"), (15.0, 18.0, "a")]  # 3 s of overlap
    assert der.der(ref, [(0.0, 10.0, "y"), (10.0, 20.0, "x"), (15.0, 18.0, "y")], 20.0).der == 0.0  # names do not matter
    one = der.der(ref, [(0.0, 20.0, "one")], 20.0, collar=0.0)
    # "one" maps to a (13 s together): b alone (7 s) is confusion, the second voice of the overlap (3 s) is missed
    assert one.confusion == pytest.approx(7.0) and one.missed == pytest.approx(3.0)
    assert one.der == pytest.approx(10.0 / 23.0)
    assert der.der(ref, [(0.0, 10.1, "y"), (10.1, 20.0, "x"), (15.0, 18.0, "y")], 20.0).der == 0.0  # inside the collar
    assert der.der(ref, [], 20.0).der == 1.0
    words = [(1.0, 1.2, "S1"), (11.0, 11.2, "S2"), (12.0, 12.2, "S1"), (16.0, 16.2, "S2")]  # the last one is in overlap
    assert der.word_accuracy(words, ref) == pytest.approx(2 / 3)


def test_clustering_finds_the_speakers_of_separate_voices_and_one_for_one():
    rng = np.random.default_rng(3)
    centres = speaker_clusters.normalize(rng.normal(size=(3, 192)))
    points = np.concatenate([c + 0.6 * rng.normal(size=(40, 192)) / np.sqrt(192) * 4 for c in centres])
    labels = speaker_clusters.cluster(points)
    assert len(set(labels)) == 3
    assert all(len(set(labels[i * 40:(i + 1) * 40])) == 1 for i in range(3))
    one = speaker_clusters.cluster(centres[0] + 0.6 * rng.normal(size=(80, 192)) / np.sqrt(192) * 4)
    assert len(set(one)) == 1
    assert len(set(speaker_clusters.cluster(points, fixed=2))) == 2


def _keynote_with_a_few_questions(turns_of: int):
    """2,000 windows of one broad voice (a keynote) and 16 of a second, tighter voice in the same room (centres
    at cosine 0.48): four turns of `turns_of` consecutive windows, spread over the recording."""
    rng = np.random.default_rng(7)
    a, b = speaker_clusters.normalize(rng.normal(size=(2, 192)))
    b = speaker_clusters.normalize(0.55 * a + b)
    keynote = a + 0.9 * speaker_clusters.normalize(rng.normal(size=(2000, 192)))
    questions = b + 0.45 * speaker_clusters.normalize(rng.normal(size=(16, 192)))
    rows, truth, continues, q = [], [], [], 0
    for i, window in enumerate(keynote):
        if i % 500 == 250:
            for r in range(4):
                rows.append(questions[q])
                truth.append(1)
                continues.append(r % turns_of > 0)
                q += 1
        rows.append(window)
        continues.append(truth[-1:] == [0])
        truth.append(0)
    return np.array(rows), np.array(truth), np.array(continues)


def test_a_voice_with_a_few_percent_of_a_long_recording_is_kept_and_a_stray_window_is_not_a_voice():
    x, truth, continues = _keynote_with_a_few_questions(turns_of=4)
    labels = speaker_clusters.cluster(x, continues=continues)  # > MAX_POINTS: the summary alone swallows the questions
    assert len(set(labels)) == 2 and len(set(labels[truth == 0])) == 1 and len(set(labels[truth == 1])) == 1
    assert labels[truth == 0][0] != labels[truth == 1][0]
    # the same windows, but none next to another of its voice: no turn, so no speaker
    x, truth, continues = _keynote_with_a_few_questions(turns_of=1)
    assert len(set(speaker_clusters.cluster(x, continues=continues))) == 1


def test_long_recordings_are_clustered_on_a_bounded_summary():
    rng = np.random.default_rng(5)
    centres = speaker_clusters.normalize(rng.normal(size=(2, 192)))
    points = np.concatenate([np.repeat(c[None], 2500, 0) + 0.5 * rng.normal(size=(2500, 192)) / np.sqrt(192) * 4 for c in centres])
    labels = speaker_clusters.cluster(points)  # 5000 windows > MAX_POINTS: micro-clusters first
    assert len(set(labels)) == 2 and len(set(labels[:2500])) == 1 and len(set(labels[2500:])) == 1


def test_the_checkpoint_reader_reads_tensors_and_refuses_anything_else(tmp_path):
    from accessmedia.models.torchfile import load_state_dict

    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    path = tmp_path / "evil.pt"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps({"w": Evil()}))
    with pytest.raises(AccessMediaError, match="builtins.print"):
        load_state_dict(path)
    (tmp_path / "not.pt").write_bytes(b"not a zip")
    with pytest.raises(AccessMediaError, match="PyTorch checkpoint"):
        load_state_dict(tmp_path / "not.pt")


def test_overlapped_speech_gets_the_nearest_other_speaker_as_a_second_turn():
    from accessmedia.speakers.diarize import Turn, with_overlap

    turns = [Turn(0.0, 5.0, 0), Turn(5.0, 9.0, 1), Turn(9.0, 12.0, 2)]
    out = with_overlap(turns, [(4.0, 4.8), (20.0, 21.0)])  # the second stretch: nobody speaks there
    assert out == [Turn(0.0, 5.0, 0), Turn(4.0, 4.8, 1), Turn(5.0, 9.0, 1), Turn(9.0, 12.0, 2)]
    assert with_overlap([Turn(0.0, 5.0, 0)], [(1.0, 2.0)]) == [Turn(0.0, 5.0, 0)]  # one speaker: no second


def test_speech_from_the_segmentation_model_bridges_short_pauses_drops_blips_and_is_trimmed():
    from accessmedia.speakers.diarize import union
    from accessmedia.speakers.networks import segmentation as seg

    def probs(speaking: list[tuple[float, float]], seconds: float = 10.0, level: float = 0.9) -> np.ndarray:
        frames = int(seconds / seg.FRAME_STEP) + 1
        p = np.zeros((frames, 7))
        p[:, 0] = 1.0
        centres = np.arange(frames) * seg.FRAME_STEP + seg.FRAME_SIZE / 2
        for a, b in speaking:
            on = (centres >= a) & (centres < b)
            p[on, 0], p[on, 1] = 1 - level, level
        return p

    # two words 0.2 s apart are one stretch; a 0.1 s blip is nobody; 0.15 s comes off each end
    found = seg.speech(probs([(1.0, 2.0), (2.2, 3.0), (6.0, 6.1)]))
    assert len(found) == 1 and found[0][0] == pytest.approx(1.15, abs=0.03) and found[0][1] == pytest.approx(2.85, abs=0.03)
    # a short stretch keeps at least half a second; probability under the threshold is not speech
    (short,) = seg.speech(probs([(4.0, 4.6)]))
    assert short[1] - short[0] == pytest.approx(0.5, abs=0.03)
    assert seg.speech(probs([(1.0, 5.0)], level=seg.SPEECH_THRESHOLD - 0.1)) == []
    # overlapped speech is where two at once is the likeliest class
    both = probs([])
    both[100:160, 0], both[100:160, 4] = 0.1, 0.9
    (a, b), = seg.overlapped(both)
    assert a == pytest.approx(100 * seg.FRAME_STEP + seg.FRAME_SIZE / 2, abs=1e-3) and b - a == pytest.approx(60 * seg.FRAME_STEP, abs=2e-3)
    assert union([(0.0, 1.0), (3.0, 4.0)], [(0.5, 2.0), (5.0, 6.0)]) == [(0.0, 2.0), (3.0, 4.0), (5.0, 6.0)]


def test_every_word_gets_a_speaker_once_anyone_is_found():
    words = said("En to tre.", 0.0, None) + said("Fire fem.", 30.0, None) + said("Seks.", 60.0, None)
    out, _ = speakers.assign(transcript_of(words), [(0.0, 1.0, "0"), (29.9, 31.0, "1")])  # "Seks." is far from both
    assert [w.speaker for w in out.words] == ["S1", "S1", "S1", "S2", "S2", "S2"]


def _checkpoint(path, monkeypatch, size, stride, offset=0, storage=16):
    """A checkpoint as torch writes one (a zip of data.pkl and raw storages), made without torch: stand-in torch
    modules only while pickling, so the pickle names torch._utils._rebuild_tensor_v2 and torch.FloatStorage."""
    import collections
    import io
    import sys
    import types

    torch, utils = types.ModuleType("torch"), types.ModuleType("torch._utils")

    class FloatStorage:
        pass

    def _rebuild_tensor_v2(*args):
        raise AssertionError("never called while writing")

    FloatStorage.__module__, _rebuild_tensor_v2.__module__ = "torch", "torch._utils"
    FloatStorage.__qualname__, _rebuild_tensor_v2.__qualname__ = "FloatStorage", "_rebuild_tensor_v2"
    torch.FloatStorage, torch._utils, utils._rebuild_tensor_v2 = FloatStorage, utils, _rebuild_tensor_v2
    monkeypatch.setitem(sys.modules, "torch", torch)
    monkeypatch.setitem(sys.modules, "torch._utils", utils)

    class Storage:
        pass

    class Tensor:
        def __reduce__(self):
            return (_rebuild_tensor_v2, (Storage(), offset, tuple(size), tuple(stride), False, collections.OrderedDict()))

    class Writer(pickle.Pickler):
        def persistent_id(self, obj):
            return ("storage", FloatStorage, "0", "cpu", storage // 4) if isinstance(obj, Storage) else None

    buffer = io.BytesIO()
    Writer(buffer, protocol=2).dump({"w": Tensor()})
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", buffer.getvalue())
        z.writestr("archive/data/0", np.arange(storage // 4, dtype=np.float32).tobytes())
    monkeypatch.delitem(sys.modules, "torch")
    monkeypatch.delitem(sys.modules, "torch._utils")
    return path


@pytest.mark.parametrize("size, stride, offset", [
    ((64_000_000,), (1,), 0),  # 64 million elements claimed on a 16-byte storage
    ((50_000, 1000), (1000, 1), 0),
    ((2,), (1,), 3),  # one element past the end
    ((4,), (-1,), 3),  # backwards
    ((2, 2), (1,), 0),  # strides that do not match the sizes
])
def test_the_checkpoint_reader_checks_sizes_against_the_storage(tmp_path, monkeypatch, size, stride, offset):
    """A crafted .pt whose tensor claims more than its storage holds was read beyond the buffer (heap bytes became
    weights) or crashed the process: now one error, and the honest tensor of the same file shape still reads."""
    from accessmedia.models.torchfile import load_state_dict

    with pytest.raises(AccessMediaError, match="could not be read as a PyTorch checkpoint"):
        load_state_dict(_checkpoint(tmp_path / "bad.pt", monkeypatch, size, stride, offset))
    honest = load_state_dict(_checkpoint(tmp_path / "good.pt", monkeypatch, (2, 2), (2, 1)))
    assert honest["w"].tolist() == [[0.0, 1.0], [2.0, 3.0]]


def test_two_alike_minority_voices_left_in_the_main_voice_become_a_speaker():
    """A keynote (five turns of 60 windows) with two short voices alike each other (centres at cosine 0.67,
    as two speakers on one microphone: too alike to split, too unlike the keynote to be it) that the spectral
    step leaves in the keynote's cluster. Together they hold as well as the keynote's cluster holds: a speaker,
    not nobody (before, the recording got one speaker and no labels at all)."""
    rng = np.random.default_rng(11)
    a, w, p = np.linalg.qr(rng.normal(size=(192, 3)))[0].T
    b, c = speaker_clusters.normalize(w + 0.40 * p), speaker_clusters.normalize(w - 0.40 * p)
    rows, truth, continues = [], [], []
    for _ in range(5):
        for centre, count, who, spread in ((a, 60, 0, 0.9), (b, 8, 1, 0.7), (c, 3, 2, 0.7)):
            noise = rng.normal(size=192)
            for r in range(count):
                noise = 0.8 * noise + 0.6 * rng.normal(size=192)  # overlapping windows: each much like the one before
                rows.append(centre + spread * speaker_clusters.normalize(noise))
                truth.append(who)
                continues.append(r > 0)
    truth = np.array(truth)
    labels = speaker_clusters.cluster(np.array(rows), continues=np.array(continues))
    assert len(set(labels[truth == 0])) == 1
    assert labels[truth == 0][0] not in set(labels[truth > 0]) and len(set(labels[truth > 0])) <= 2
    assert len(set(labels)) >= 2
