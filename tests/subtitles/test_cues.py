"""Cue segmentation, line breaking and timing: pure functions, property-tested."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings, strategies as st

from accessmedia.subtitles import style
from accessmedia.subtitles.segmenter import build, build_cues
from accessmedia.core.transcript import Word

PROFILE = style.load_profile("nb")
HARD = ("timing", "lines", "line_length", "min_duration", "max_duration", "overlap", "gap", "order")


def words_from(text: str, start: float = 0.0, per_word: float = 0.35, pauses: dict[int, float] | None = None) -> list[Word]:
    out, t = [], start
    for n, token in enumerate(text.split()):
        out.append(Word(token, round(t, 3), round(t + per_word, 3), 0.9))
        t += per_word + (pauses or {}).get(n, 0.0)
    return out


def texts(cues) -> list[str]:
    return [" ".join(c.lines) for c in cues]


vocab = st.sampled_from(
    "og i på det er en som til av for med at ikke de vi kan han hun Norge Oslo integrering konferanse "
    "innvandrerorganisasjonene, deltakere. språk! arbeid? fellesskap, Kari Bremnes IMDi supercalifragilistiskekspialigetisk".split()
)


@st.composite
def word_streams(draw):
    n = draw(st.integers(1, 120))
    t = draw(st.floats(0, 5))
    words = []
    for _ in range(n):
        token = draw(vocab)
        duration = draw(st.floats(0.05, 1.5))
        pause = draw(st.one_of(st.just(0.0), st.floats(0.0, 0.3), st.floats(0.3, 4.0)))
        words.append(Word(token, round(t, 3), round(t + duration, 3), 0.8))
        t += duration + pause
    return words


@settings(max_examples=300, deadline=None)
@given(word_streams())
def test_hard_rules_always_hold(words):
    cues = build_cues(words, PROFILE)
    report = style.check(cues, PROFILE)
    for rule in HARD:
        assert report.share_ok(rule) == 1.0, [b for b in report.breaches if b.rule == rule]


@settings(max_examples=200, deadline=None)
@given(word_streams())
def test_no_word_is_lost_or_reordered_and_what_condensation_left_out_is_said(words):
    verbatim = build_cues(words, replace(PROFILE, condensation="none"))
    assert " ".join(texts(verbatim)).replace(" ", "") == "".join(w.text for w in words)
    made = build(words, PROFILE)  # a cue too fast may leave words out: its omission has every word
    whole = {o.cue: o.verbatim for o in made.omissions}
    shown = [" ".join(whole.get(k, c.lines)) for k, c in enumerate(made.cues)]
    assert " ".join(shown).replace(" ", "") == "".join(w.text for w in words)
    for o in made.omissions:
        assert o.left_out and len(" ".join(made.cues[o.cue].lines)) < len(" ".join(o.verbatim))


@settings(max_examples=200, deadline=None)
@given(word_streams())
def test_cues_start_at_their_first_word_unless_moved_for_reading_time(words):
    cues = build_cues(words, PROFILE)
    early = max(PROFILE.lead_in, PROFILE.sync_tolerance)  # a lead-in, or time borrowed from the cue before
    assert words[0].start - early - 1e-9 <= cues[0].start <= words[0].start + PROFILE.sync_tolerance
    for cue in cues:
        assert cue.start >= words[0].start - early - 1e-9
        assert cue.end <= words[-1].end + PROFILE.max_extend + PROFILE.max_duration


def test_short_sentence_is_one_line():
    cues = build_cues(words_from("Velkommen til konferansen."), PROFILE)
    assert [c.lines for c in cues] == [("Velkommen til konferansen.",)]


def test_sentence_ends_are_preferred_as_cue_ends():
    words = words_from("Norge er dere. Norge er oss. Mitt største håp for Norge er at vi skal klare å ta vare på hverandre.")
    cues = build_cues(words, PROFILE)
    assert all(t.endswith(".") for t in texts(cues)), texts(cues)


def test_a_long_pause_starts_a_new_cue():
    words = words_from("vi tror på fellesskap og vi tror på tillit", pauses={4: 2.5})
    cues = build_cues(words, PROFILE)
    assert texts(cues) == ["vi tror på fellesskap og", "vi tror på tillit"] or texts(cues)[1].startswith("vi tror på tillit")
    assert any(abs(c.start - words[5].start) < 1e-6 for c in cues)


def test_line_breaks_follow_punctuation_and_never_split_article_from_noun():
    text = "Det vi kaller hjem, er der hjertet vårt er, og det kan ikke alltid plasseres innenfor en grense."
    for cue in build_cues(words_from(text, per_word=0.3), PROFILE):
        for line in cue.lines[:-1]:
            assert not line.split()[-1] in ("en", "det", "vårt", "og", "innenfor"), cue.lines


def test_first_and_last_name_stay_together():
    text = "Nordmenn liker Grieg og Kygo, Hellbillies og Kari Bremnes og mange andre artister fra hele landet."
    for cue in build_cues(words_from(text, per_word=0.3), PROFILE):
        for line in cue.lines:
            assert not line.endswith("Kari"), cue.lines


def test_reading_speed_extends_into_following_silence_but_not_over_the_next_cue():
    words = words_from("Integreringskonferansen samler mange.", per_word=0.5, pauses={2: 3.0})
    words += words_from("Velkommen.", start=words[-1].end + 3.0)
    cues = build_cues(words, PROFILE)
    first = cues[0]
    chars = sum(len(l) for l in first.lines)
    assert first.end > words[2].end  # held after the last word ...
    assert chars / (first.end - first.start) <= PROFILE.max_cps  # ... until readable
    assert first.end <= words[2].end + PROFILE.max_extend
    assert cues[1].start - first.end >= PROFILE.min_gap - 1e-9


def test_cue_never_longer_than_seven_seconds():
    words = words_from(" ".join(["ord"] * 60), per_word=0.5)
    for cue in build_cues(words, PROFILE):
        assert cue.end - cue.start <= PROFILE.max_duration + 1e-9


def test_style_file_overrides_the_profile(tmp_path):
    path = tmp_path / "style.toml"
    path.write_text('name = "smal"\nmax_chars_per_line = 32\nmax_cps = 15\n', encoding="utf-8")
    profile = style.load_profile("nb", path)
    assert (profile.name, profile.max_chars_per_line, profile.max_cps, profile.max_lines) == ("smal", 32, 15.0, 2)
    assert "og" in profile.break_before
    text = "Det vi kaller hjem, er der hjertet vårt er, og det kan ikke alltid plasseres innenfor landegrenser."
    cues = build_cues(words_from(text), profile)
    assert max(len(l) for c in cues for l in c.lines) <= 32


def test_bad_style_file_is_a_clear_error(tmp_path):
    import pytest

    from accessmedia.core.errors import AccessMediaError

    path = tmp_path / "style.toml"
    path.write_text("max_chars_per_lines = 32\n", encoding="utf-8")
    with pytest.raises(AccessMediaError, match="unknown style field 'max_chars_per_lines'"):
        style.load_profile("nb", path)
    path.write_text("max_cps = 'fast'\n", encoding="utf-8")
    with pytest.raises(AccessMediaError, match="must be a float"):
        style.load_profile("nb", path)
