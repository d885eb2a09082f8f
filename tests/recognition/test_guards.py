"""Guards against Whisper's hallucinations and loops."""

from __future__ import annotations

from accessmedia.recognition.guards import collapse_repeats, is_credit_text, screen
from accessmedia.core.transcript import Segment, Word


def seg(text: str, start: float = 0.0, p: float = 0.8, no_speech: float = 0.1, logprob: float = -0.3) -> Segment:
    words = tuple(Word(t, start + n * 0.3, start + n * 0.3 + 0.25, p) for n, t in enumerate(text.split()))
    return Segment(words[0].start, words[-1].end, text, words, logprob, no_speech, 1.5)


def test_phrase_loop_is_collapsed_to_one_copy():
    s = seg("vi skal vi skal vi skal vi skal bygge landet")
    kept, dropped = collapse_repeats(s.words)
    assert " ".join(w.text for w in kept) == "vi skal bygge landet"
    assert len(dropped) == 6


def test_natural_repetition_is_kept():
    for text in ("nei, nei, nei", "takk takk", "det det er bra", "jenter som er glad i jenter, gutter som er glad i gutter"):
        kept, dropped = collapse_repeats(seg(text).words)
        assert not dropped, text


def test_single_word_loop():
    kept, dropped = collapse_repeats(seg("ja ja ja ja ja ja ja ja").words)
    assert [w.text for w in kept] == ["ja"] and len(dropped) == 7


def test_credit_text_is_recognised():
    assert is_credit_text("Teksting av Nicolai Winther")
    assert is_credit_text("Undertekster av Amara.org-fellesskapet")
    assert is_credit_text("Takk for at du så på!")
    assert not is_credit_text("Takk til alle som kom i dag.")


def test_screen_drops_hallucinations_and_reports_why():
    segments = [
        seg("Velkommen til konferansen.", 0.0),
        seg("Teksting av Nicolai Winther", 10.0),
        seg("hmm hmm", 20.0, no_speech=0.9, logprob=-1.5),
        seg("uklar tale her", 30.0, p=0.05),
        seg("Takk for meg.", 40.0),
        seg("Takk for meg.", 45.0),
        seg("Takk for meg.", 50.0),
    ]
    kept, removed = screen(segments)
    assert [s.text for s in kept] == ["Velkommen til konferansen.", "Takk for meg.", "Takk for meg."]
    reasons = [r.reason for r in removed]
    assert reasons[0].startswith("subtitle credit")
    assert reasons[1].startswith("model judged")
    assert reasons[2].startswith("very low confidence")
    assert reasons[3] == "repetition loop across segments"
    assert removed[0].start == 10.0


def test_mostly_loop_segment_is_dropped_whole():
    kept, removed = screen([seg("Det er en veldig veldig veldig veldig veldig veldig veldig.")])
    assert kept == [] and removed[0].reason == "repetition loop"


def test_words_without_audio_are_dropped():
    words = (Word("Det", 1.0, 2.4, 0.5), Word("er", 2.4, 2.41, 0.6), Word("en", 2.41, 2.41, 0.6), Word("test", 2.41, 2.41, 0.6))
    s = Segment(1.0, 2.41, "Det er en test", words, -0.5, 0.3, 1.2)
    kept, removed = screen([s])
    assert kept == [] and removed[0].reason == "words with no audio under them"


def test_words_after_the_end_of_the_audio_are_invented():
    """Over 40 s of music one CPU family decoded "Hva?" from 39.98 to 40.81 s: no sound lies under it."""
    late = Segment(39.98, 40.81, "Hva?", (Word("Hva?", 39.98, 40.81, 0.6),), -0.4, 0.2)
    kept, removed = screen([late], audio_end=40.0)
    assert kept == [] and removed[0].reason == "words after the end of the audio"
    # a word that ends a little past (timing slack) stays; one past the slack is cut from its segment
    edge = Segment(38.0, 40.5, "takk skal dere ha", tuple(Word(w, 38.0 + 0.5 * n, 38.45 + 0.5 * n, 0.9) for n, w in
                                                            enumerate(["takk", "skal", "dere", "ha"])))
    kept, removed = screen([edge], audio_end=39.3)
    assert kept[0].text == "takk skal dere" and removed[0].text == "ha"
    assert screen([edge], audio_end=40.3)[0] == [edge] and screen([edge])[0] == [edge]
    # a word that starts in the last tenth of a second has no sound under it either, even if it ends within the slack
    # (the same 40 s of music on an Intel AVX-512 machine: "Hva?" from 39.98 to 40.2 s)
    last = Segment(39.98, 40.2, "Hva?", (Word("Hva?", 39.98, 40.2, 0.6),), -0.4, 0.2)
    assert screen([last], audio_end=40.0)[0] == [] and screen([last], audio_end=40.1)[0] == [last]
