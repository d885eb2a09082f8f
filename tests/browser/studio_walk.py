"""The studio walked step by step as a communications officer, in Norwegian and in English, on a laptop (1366x900)
and a phone (390x844), over an event the whole-flow test has made and run: what each step says in the page's
language, axe-clean at every step, no sideways scrolling on the phone, a screenshot of each step in tests/artifacts
(studio-walk-LANG-WIDTH-N-STEP.png). Used by test_studio_browser.test_a_new_users_whole_flow."""

from __future__ import annotations

from ..chromium import ARTIFACTS, serious_violations

SIZES = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SAYS = {  # what the page says in each language, as a person reads it
    "nb": {"locale": "nb-NO", "steps": ["1. Arrangement", "2. Kjøring", "3. Gjennomgå og rette", "4. Publiser"],
           "template": "bare en mal som frivillige må oversette", "bad_time": "«0.40» er ikke et tidspunkt",
           "done": "Ferdig.", "guide": "YouTube eller Vimeo", "history": "Historikk for nb",
           "names_back": "Talerne får navnene de hadde da:", "restored": "gjenopprettet som"},
    "en": {"locale": "en-GB", "steps": ["1. Event", "2. Run", "3. Review and correct", "4. Publish"],
           "template": "only a template for volunteers", "bad_time": "“0.40” is not a time",
           "done": "Finished.", "guide": "YouTube or Vimeo", "history": "History of nb",
           "names_back": "The speakers get the names they had then:", "restored": "restored as"},
}


def shot(page, name: str) -> None:
    """A full-page screenshot of the studio: tests/artifacts/studio-NAME.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"studio-{name}.png"), full_page=True)


def walk(browser, base: str, lang: str, size: str) -> object:
    """Every step of the studio in `lang` at `size`; returns the page, left on the review step."""
    says = SAYS[lang]
    context = browser.new_context(locale=says["locale"], viewport=SIZES[size])
    page = context.new_page()
    for n, (step, heading) in enumerate(zip(("event", "run", "review", "publish"), says["steps"]), start=1):
        page.goto(f"{base}/#{step}")
        page.wait_for_selector("#files li input", state="attached")  # the studio's state is in
        page.locator(f"#{step}-title").wait_for(state="visible")
        assert page.evaluate("document.documentElement.lang") == lang
        assert page.locator(f"#{step}-title").text_content() == heading
        assert page.locator('.steps a[aria-current="step"]').text_content() == heading
        if step == "event":  # a language without a model is only a template, in orange
            note = page.locator("#lang-note-so")
            assert says["template"] in note.text_content() and "warn" in note.get_attribute("class")
            slip = page.locator('fieldset[data-file="recordings/panel.mp4"] .agenda-row').nth(1).locator('[data-field="start"]')
            slip.fill("0.40")  # a typing slip, said next to its field in the page's language, not saved
            page.click("#save")
            error = page.locator('fieldset[data-file="recordings/panel.mp4"] .field-error')
            error.wait_for()
            assert error.text_content().startswith(says["bad_time"])
            assert page.evaluate("document.activeElement.dataset.field") == "start" and slip.get_attribute("aria-invalid") == "true"
        else:  # what was said about the event step stays there
            assert page.locator("#message").text_content() == ""
        if step == "run":
            page.wait_for_function(f"document.getElementById('run-status').textContent.indexOf({says['done']!r}) === 0")
        elif step == "review":
            page.wait_for_selector("#sessions .session")
            assert "Panelsamtale: språk og arbeid" in page.locator("#sessions").text_content()  # titles, not paths
        elif step == "publish":
            page.wait_for_selector("#checklist tr th")
            guide = page.locator("details.guide").first
            guide.locator("summary").click()
            assert says["guide"] in guide.text_content()
        found = serious_violations(page)
        assert found == [], (lang, size, step, found)
        if size == "phone":  # nothing to scroll sideways
            assert page.evaluate("document.documentElement.scrollWidth") <= SIZES["phone"]["width"]
        shot(page, f"walk-{lang}-{SIZES[size]['width']}-{n}-{step}")
    page.goto(f"{base}/#review")
    page.wait_for_selector("#sessions .session")
    return page


def restore_before_naming(page, lang: str) -> str:
    """In the review step: the nb history of the panel, the revision before the speakers were named previewed
    (the names it gives back said) and restored; returns what the page said next to the history."""
    says = SAYS[lang]
    session = page.locator(".session", has=page.locator("h3", has_text="panel"))
    session.get_by_role("button", name=says["history"]).click()
    rows = session.locator(".history li")
    rows.first.wait_for()
    assert rows.first.get_attribute("aria-current") == "true"  # the naming: the newest, the current revision
    rows.nth(1).get_by_role("button").click()  # the one before it
    diff = session.locator(".diff")
    diff.wait_for()
    assert says["names_back"] in diff.text_content() and "Taler 2" in diff.text_content()
    assert serious_violations(page) == []
    diff.locator("button.primary").click()
    told = session.locator(".restore-status").filter(has_text=says["restored"])
    told.wait_for()
    return told.text_content()
