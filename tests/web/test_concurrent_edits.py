"""Two volunteers at once (issue 21, item 8), over HTTP against the real review app: a save names the revision it
started from; edits of different cues merge by themselves, edits of the same cue are refused with 409 showing both
sides until the volunteer keeps one; a save that names no revision is refused. The merge rules themselves, pure."""

from __future__ import annotations

import json

from hypothesis import given, settings, strategies as st

from accessmedia.editing import merging, revisions
from accessmedia.subtitles import formats as subtitles

import pytest

from .test_review_security import Client, running, translated_project


@pytest.fixture()
def project(home, tmp_path):
    return translated_project(tmp_path)


def _cues(c: Client) -> tuple[list, int | None]:
    status, data = c.request("GET", "/api/cues?name=tale&lang=nb")
    assert status == 200, data
    return data["cues"], data["revision"]


def _save(c: Client, cues: list, base, **extra) -> tuple[int, dict]:
    return c.save(json.dumps({"cues": cues, "contributor": extra.pop("who", "Amina"), "base": base, **extra}).encode("utf-8"))


def _changed(cues: list, n: int, text: str) -> list:
    out = [list(c) for c in cues]
    out[n][2] = text
    return out


def _current(project) -> list[str]:
    return [c.text for c in subtitles.read(project / "tale.nb.srt").cues]


def test_two_volunteers_editing_different_cues_both_keep_their_edit(project):
    with running(project) as amina:
        piotr = Client(amina.base, None)  # another browser: its own session
        cues_a, base_a = _cues(amina)
        cues_p, base_p = _cues(piotr)
        assert base_a is None and base_p is None
        status, first = _save(amina, _changed(cues_a, 1, "og takket alle varmt."), base_a)
        assert status == 200 and first["number"] == 1 and not first["merged"], first
        status, second = _save(piotr, _changed(cues_p, 2, "NOVA la fram en fersk rapport."), base_p, who="Piotr")
        assert status == 200 and second["merged"] is True, second
    now = _current(project)
    assert now[1] == "og takket alle varmt." and now[2] == "NOVA la fram en fersk rapport."  # neither edit is lost
    last = revisions.history(project, "tale", "nb")[-1]
    assert last.contributor == "Piotr" and last.note.startswith("merged with r0001")
    assert "VARMT" in (project / "tale.en.srt").read_text(encoding="utf-8")  # the merged text was translated


def test_two_volunteers_editing_the_same_cue_are_shown_both_sides_and_one_keeps_theirs_or_mine(project):
    with running(project) as amina:
        piotr = Client(amina.base, None)
        cues_a, base = _cues(amina)
        cues_p, _ = _cues(piotr)
        assert _save(amina, _changed(cues_a, 3, "Hvor mange kom i 2025?"), base)[0] == 200
        mine = _changed(_changed(cues_p, 3, "Hvor mange deltok i 2024?"), 0, "Velkommen til konferansen,\nsa lederen glad")
        status, data = _save(piotr, mine, base, who="Piotr")
        assert status == 409, data
        assert data["revision"] == 1 and "saved by Amina" in data["error"]
        assert data["conflicts"] == [{"mine": [[11.1, 13.5, "Hvor mange deltok i 2024?", ""]],
                                      "theirs": [[11.1, 13.5, "Hvor mange kom i 2025?", ""]]}]
        assert _current(project)[3] == "Hvor mange kom i 2025?" and len(revisions.history(project, "tale", "nb")) == 2
        status, data = _save(piotr, mine, base, who="Piotr", prefer="mine")  # the editor's "keep mine"
        assert status == 200 and data["merged"], data
    now = _current(project)
    assert now[3] == "Hvor mange deltok i 2024?" and now[0] == "Velkommen til konferansen,\nsa lederen glad"
    assert "kept mine's" in revisions.history(project, "tale", "nb")[-1].note


def test_a_save_that_names_no_revision_or_a_made_up_one_is_refused(project):
    with running(project) as c:
        cues, _ = _cues(c)
        status, data = c.save(json.dumps({"cues": cues, "contributor": "A"}).encode("utf-8"))
        assert status == 400 and "which version it started from" in data["error"]
        status, data = _save(c, cues, 7)
        assert status == 400 and "revision 7" in data["error"] and "reload" in data["error"]
        for bad in (True, -1, 1.5, "1"):
            assert _save(c, cues, bad)[0] == 400, bad
    assert revisions.history(project, "tale", "nb") == []


def test_a_blank_line_in_a_cue_keeps_the_text_after_it(project):
    with running(project) as c:
        cues, base = _cues(c)
        status, data = _save(c, _changed(cues, 1, "og takket\n\nalle som kom."), base)
        assert status == 200, data
    assert _current(project)[1] == "og takket\nalle som kom."


# -- the merge rules ------------------------------------------------------------------------------

def test_merge_of_disjoint_and_clashing_edits():
    base = list("abcdef")
    assert merging.merge(base, list("aXcdef"), list("abcYef")) == (list("aXcYef"), [])
    merged, clashes = merging.merge(base, list("aXcdef"), list("aZcdef"))
    assert merged == list("aXcdef") and clashes == [merging.Conflict(1, 2, ("X",), ("Z",))]
    assert merging.merge(base, list("aXcdef"), list("aZcdef"), "theirs")[0] == list("aZcdef")
    assert merging.merge(base, list("abcdefG"), list("Habcdef")) == (list("HabcdefG"), [])
    assert merging.merge(base, list("aXcdef"), list("aXcdef")) == (list("aXcdef"), [])  # the same edit twice
    assert merging.merge(base, list("abdef"), list("abcdeZ")) == (list("abdeZ"), [])  # a removal and an edit elsewhere
    assert merging.merge(base, list("abXcdef"), list("abYcdef"))[1]  # two insertions at one place: their order is a guess


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 5), max_size=8), st.lists(st.integers(0, 5), max_size=8), st.lists(st.integers(0, 5), max_size=8),
       st.sampled_from([None, "mine", "theirs"]))
def test_merge_properties(base, mine, theirs, prefer):
    merged, clashes = merging.merge(base, mine, theirs, prefer)
    if mine == base:
        assert merged == theirs and not clashes
    if theirs == base:
        assert merged == mine and not clashes
    if mine == theirs:
        assert merged == mine and not clashes
    if not clashes:  # without a clash, nothing depends on whose side is preferred
        assert merged == merging.merge(base, mine, theirs, "theirs")[0] == merging.merge(base, mine, theirs, "mine")[0]
    else:
        assert merging.merge(base, mine, theirs, "theirs")[0] != merging.merge(base, mine, theirs, "mine")[0] or \
            all(k.mine == k.theirs for k in clashes) is False
