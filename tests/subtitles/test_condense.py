"""Readable in time (issue 23): condensation rules as pure functions with Norwegian examples (what is left out and
what never is), timing that borrows from the silence and from slow neighbours, short speaker labels."""

from __future__ import annotations

from dataclasses import replace

import pytest

from accessmedia.core.errors import AccessMediaError
from accessmedia.core.transcript import Word
from accessmedia.subtitles import markup, style, voices
from accessmedia.subtitles.condense import condense, cuts
from accessmedia.subtitles.segmenter import build, build_cues
from accessmedia.subtitles.style import profile_from

NB = profile_from("nb")
LEX = NB.lexicon


def shorter(text: str, level: str = "full", keep=(), sentence_start: bool = True) -> str:
    """Everything a rule may leave out of `text`, left out."""
    kept, _removed = condense(text.split(), 10_000, LEX, level, keep, sentence_start)
    return " ".join(kept)


@pytest.mark.parametrize("said, shown", [
    ("Vi har, eh, fått svar på det.", "Vi har fått svar på det."),  # a hesitation, its commas closed up
    ("Øh, vi begynner nå.", "Vi begynner nå."),  # the sentence's new first word gets the capital
    ("det det er viktig", "det er viktig"),  # a word said twice
    ("vi skal, vi må gjøre det", "vi må gjøre det"),  # a restart of small words
    ("Altså, vi begynner.", "Vi begynner."),  # a discourse word at the start of a sentence
    ("Det er dyrt, ikke sant?", "Det er dyrt."),  # a tag question: the statement stays a statement
    ("Det er, på en måte, et problem.", "Det er et problem."),  # a phrase between commas
    ("det er jo viktig", "det er viktig"),  # a particle inside a clause
    ("Ja, altså, vi skal egentlig reise.", "Ja, vi skal reise."),  # the comma after a sentence's first word stays
])
def test_a_rule_leaves_out_what_subtitlers_leave_out(said, shown):
    assert shorter(said) == shown


@pytest.mark.parametrize("said", [
    "Det er ikke sant.",  # a negation: "ikke sant" only goes as a tag after a comma
    "de kom, de så, de vant",  # a restart holding a content word is no restart
    "jo mer, jo bedre",  # "jo" opening a clause is no particle
    "Eh, ikke ikke gjør det.",  # a negation said twice: both stay (the hesitation goes)
    "Vi møter Amina Amina Yusuf.",  # a name
    "Det koster 20 20 kroner.",  # a number
])
def test_names_numbers_negations_and_meaning_are_never_left_out(said):
    kept = shorter(said).split()
    for word in said.split():
        if word.strip(",.").lower() not in ("eh", "eh,"):
            assert word.strip(",.") in " ".join(kept), (said, kept)


def test_a_glossary_term_is_never_left_out_and_light_keeps_discourse_words():
    assert shorter("Vi snakker om egentlig sammen.", keep=["egentlig sammen"]) == "Vi snakker om egentlig sammen."
    assert shorter("det er jo, eh, viktig", level="light") == "det er jo viktig"
    assert shorter("det er jo, eh, viktig", level="none") == "det er jo, eh, viktig"


def test_the_least_meaningful_goes_first_and_only_as_much_as_needed():
    text = "Altså, vi har eh egentlig fått svar.".split()
    assert [c.rule for c in cuts(text, LEX)] == ["filler", "set_off", "inside"]
    kept, removed = condense(text, 3, LEX)  # three characters: the hesitation is enough
    assert " ".join(kept) == "Altså, vi har egentlig fått svar." and len(removed) == 1
    kept, removed = condense(text, 0, LEX)
    assert kept == text and not removed


def test_a_capital_at_the_start_of_a_cue_that_continues_a_sentence_is_a_name():
    assert shorter("Amina jo sier det", sentence_start=False) == "Amina sier det"
    assert "Egentlig" in shorter("Egentlig, sier hun", sentence_start=False)  # a name, as far as anyone can tell


def said(text: str, start: float, step: float, who: str | None = None) -> list[Word]:
    return [Word(t, round(start + i * step, 3), round(start + i * step + step * 0.9, 3), 0.9, who) for i, t in enumerate(text.split())]


def test_a_fast_cue_borrows_time_from_the_silence_and_from_a_slow_neighbour():
    # a fast sentence (0.22 s a word), then a slow one right after it: the fast one is too quick to read alone
    fast = said("Regjeringen vil bruke mer penger på norskopplæring for voksne innvandrere.", 10.0, 0.35)
    slow = said("Det er bra.", fast[-1].end + 0.3, 0.7)
    before = replace(NB, lead_in=0.0, sync_tolerance=0.0, condensation="none")
    old = build_cues(fast + slow, before)
    new = build_cues(fast + slow, replace(NB, condensation="none"))
    assert [c.lines for c in old] == [c.lines for c in new]  # the same text, only its times move
    rate = lambda c: style.char_count(c.lines) / (c.end - c.start)  # noqa: E731
    assert rate(old[0]) > NB.max_cps and rate(new[0]) <= NB.max_cps + 1e-6
    assert new[0].start < old[0].start and new[0].start >= fast[0].start - NB.lead_in - 1e-9
    assert new[1].start - slow[0].start <= NB.sync_tolerance + 1e-9  # the neighbour shown at most 0.5 s late
    assert rate(new[1]) <= NB.max_cps
    assert not style.check(new, NB).breaches  # every rule, the gap between them included


def test_a_cue_too_fast_even_so_is_condensed_and_says_what_it_left_out():
    words = said("Altså, vi har, eh, egentlig fått svar fra departementet om dette i dag.", 0.0, 0.16)
    words += said("Takk.", 5.0, 0.5)
    made = build(words, NB)
    assert made.omissions and made.omissions[0].cue == 0
    first = markup.plain(made.cues[0].text).replace("\n", " ")
    assert "eh" not in first.split() and "departementet" in first
    assert set(made.omissions[0].left_out) <= {"Altså,", "eh,", "egentlig"}
    assert "eh," in made.omissions[0].left_out
    verbatim = build(words, replace(NB, condensation="none"))
    assert not verbatim.omissions and "eh," in verbatim.cues[0].text.split()
    assert not style.check(made.cues, NB).breaches


def test_a_speakers_label_is_whole_at_their_first_turn_and_short_after():
    words = (said("Velkommen til alle sammen.", 0.0, 0.4, "S1") + said("Takk for det.", 3.0, 0.4, "S2")
             + said("Vi begynner med arbeid.", 6.0, 0.4, "S1") + said("Godt.", 9.0, 0.4, "S2"))
    labels = {"S1": "Statsråd Amina Yusuf", "S2": "Taler 2"}
    cues = build_cues(words, NB, labels)
    heads = [markup.plain(c.lines[0]) for c in cues]
    assert heads[0].startswith("Statsråd Amina Yusuf: Velkommen")
    assert any(h.startswith("Amina: Vi begynner") for h in heads)
    assert sum(h.startswith("Taler 2:") for h in heads) == 2  # a number is no name to shorten
    unit = voices.units(next(c for c in cues if "Amina: Vi" in markup.plain(c.lines[0])).lines)[0]
    assert unit.voice == "Statsråd Amina Yusuf" and unit.labelled and unit.text.startswith("Vi begynner")
    assert voices.compose(unit).endswith("Amina: Vi begynner med arbeid.")
    renamed = voices.rename_line(voices.compose(unit), "Statsråd Amina Yusuf", "Statsråd Fatima Ali", {"statsråd"})
    assert "Fatima: Vi begynner" in renamed and "<v Statsråd Fatima Ali>" in renamed
    whole = build_cues(words, replace(NB, speaker_labels="names"), labels)
    assert sum(markup.plain(c.lines[0]).startswith("Statsråd Amina Yusuf:") for c in whole) == 2


def test_the_style_file_chooses_the_condensation_and_its_words():
    with pytest.raises(AccessMediaError, match="condensation"):
        profile_from("nb", {"condensation": "some"}, "stil.toml")
    mine = profile_from("nb", {"languages": {"nb": {"condense": {"fillers": ["hæ"]}}}}, "stil.toml")
    assert mine.lexicon.fillers == ("hæ",) and mine.lexicon.set_off == LEX.set_off  # one list replaced, the rest kept
    with pytest.raises(AccessMediaError, match="unknown list"):
        profile_from("nb", {"languages": {"nb": {"condense": {"fyll": ["hæ"]}}}}, "stil.toml")
    with pytest.raises(AccessMediaError, match="sync_tolerance"):
        profile_from("nb", {"sync_tolerance": -1.0}, "stil.toml")


def test_the_cue_stage_keeps_what_it_left_out_beside_the_subtitles_and_never_a_glossary_term(tmp_path):
    import json

    from accessmedia.core.files import RecordingFiles
    from accessmedia.core.transcript import Segment, Transcript
    from accessmedia.pipeline import stages

    words = said("Altså, vi har, eh, egentlig fått svar fra departementet om dette i dag.", 0.0, 0.16) + said("Takk.", 5.0, 0.5)
    transcript = Transcript("nb", 6.0, (Segment(0.0, 5.5, " ".join(w.text for w in words), tuple(words)),))
    files = RecordingFiles(tmp_path, "tale")
    stages.make_cues(files, transcript, NB)
    kept = json.loads(files.condensed("nb").read_text(encoding="utf-8"))["cues"]
    assert len(kept) == 1 and "eh," in kept[0]["left_out"] and kept[0]["verbatim"].startswith("Altså, vi har, eh,")
    srt = files.subtitles("nb").read_text(encoding="utf-8")
    assert " eh," not in srt and "departementet" in srt
    stages.make_cues(files, transcript, NB, keep=["Altså"])  # a glossary term stays, whatever a rule says
    assert "Altså" in files.subtitles("nb").read_text(encoding="utf-8")
    stages.make_cues(files, transcript, replace(NB, condensation="none"))
    assert not files.condensed("nb").exists()  # nothing left out: no file says otherwise
    assert " eh," in files.subtitles("nb").read_text(encoding="utf-8")
