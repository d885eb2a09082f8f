"""The commands for people's corrections: apply, history, restore, translation kits, and the review app."""

from __future__ import annotations

from pathlib import Path

import click

from accessmedia import api
from accessmedia.api import AccessMediaError


@click.command("apply")
@click.argument("corrected", type=click.Path(path_type=Path))
@click.option("--project", "project", type=click.Path(path_type=Path), required=True, help="The folder transcribe and translate wrote to.")
@click.option("--name", default=None, help="Recording name (NAME in NAME.nb.srt); default: from the file name.")
@click.option("--lang", default=None, help="Language of the file; default: from the file name (NAME.<lang>.srt).")
@click.option("--by", "contributor", default="volunteer", show_default=True, help="Who made the corrections, for the history.")
@click.option("--accept-loss", is_flag=True, help="Keep a file some of whose blocks cannot be read, without them (noted in the history).")
def apply_cmd(corrected, project, name, lang, contributor, accept_loss):
    """Accept a volunteer's corrected subtitle file (SRT or WebVTT, any common encoding).

    The file is checked, kept byte for byte as a new revision (earlier ones
    stay), and becomes the current version. A corrected Norwegian file is
    carried into every translation: only the sentences that changed are
    translated again, and translations a person corrected are kept and
    flagged "source changed, please check". A recording packaged before is
    packaged again with the same settings.

    \b
    Examples:
      accessmedia apply konferanse.nb.srt --project out --by "Amina"
      accessmedia apply rettet.srt --project out --name konferanse --lang ar
    """
    result = api.apply(corrected, project, name, lang, contributor, accept_loss=accept_loss)
    r = result.revision
    click.echo(f"{result.name}.{result.language}: saved as {r.label} by {r.contributor} ({r.cues} cues, {r.changed_lines} lines changed)")
    for target, count in result.retranslated.items():
        click.echo(f"  {target}: {count} sentences translated again")
    for target in result.flagged:
        click.echo(f"  {target}: corrected by a person, kept; flagged: source changed, please check")
    if result.package is not None:
        click.echo(f"  package rebuilt: {result.package.dist}")


@click.command("history")
@click.argument("project", type=click.Path(path_type=Path))
@click.option("--name", default=None, help="Only this recording.")
@click.option("--lang", default=None, help="Only this language.")
def history_cmd(project, name, lang):
    """List every saved revision of the project's subtitles.

    \b
    Example:
      accessmedia history out --lang nb
    """
    found = api.history(project, name, lang)
    if not found:
        click.echo("no revisions yet: nothing has been corrected")
    for (rec, code), revs in found.items():
        click.echo(f"{rec}.{code}:")
        for r in revs:
            note = f"  ({r.note})" if r.note else ""
            click.echo(f"  {r.label}  {r.time}  {r.contributor:<16} {r.cues:4d} cues  {r.changed_lines:4d} lines changed{note}")


@click.command("restore")
@click.argument("project", type=click.Path(path_type=Path))
@click.option("--name", required=True, help="Recording name (NAME in NAME.nb.srt).")
@click.option("--lang", required=True, help="Language.")
@click.option("--revision", "number", type=int, required=True, help="Revision number to bring back (see history).")
@click.option("--by", "contributor", default="volunteer", show_default=True, help="Who restores it, for the history.")
def restore_cmd(project, name, lang, number, contributor):
    """Bring back an earlier revision as the current one (saved as a new revision; nothing is deleted), with the
    speakers' names it had (the other languages follow).

    \b
    Example:
      accessmedia restore out --name konferanse --lang nb --revision 0
    """
    r, names = api.restore(project, name, lang, number, contributor)
    click.echo(f"{name}.{lang}: revision {number} is current again, saved as {r.label}")
    if names:
        click.echo("speakers named as they were then: " + ", ".join(f"{now} -> {then}" for now, then in names.items()))


@click.group()
def kit():
    """Translation kits for volunteers: languages without machine translation, or by choice.

    \b
    Examples:
      accessmedia kit export --project out --name konferanse --lang so
      accessmedia kit import out/kits/konferanse.so.csv --project out --name konferanse --lang so --by "Hodan"
    """


@kit.command("export")
@click.option("--project", type=click.Path(path_type=Path), required=True, help="The folder transcribe and translate wrote to.")
@click.option("--name", required=True, help="Recording name (NAME in NAME.nb.srt).")
@click.option("--lang", required=True, help="Language to translate into, BCP-47 (so, ti, ...).")
def kit_export(project, name, lang):
    """Write PROJECT/kits/NAME.<lang>.srt (to overwrite) and .csv (nb, en, and an empty column).

    \b
    Example:
      accessmedia kit export --project out --name konferanse --lang ti
    """
    srt_path, csv_path = api.kit_export(project, name, lang)
    click.echo(f"wrote {srt_path} and {csv_path}")


@kit.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--project", type=click.Path(path_type=Path), required=True, help="The folder transcribe and translate wrote to.")
@click.option("--name", required=True, help="Recording name (NAME in NAME.nb.srt).")
@click.option("--lang", required=True, help="Language of the translation.")
@click.option("--by", "contributor", default="volunteer", show_default=True, help="Who translated it, for the history.")
def kit_import(path, project, name, lang, contributor):
    """Bring a finished kit (SRT or CSV) back as that language's subtitles (a new revision).

    \b
    Example:
      accessmedia kit import konferanse.so.csv --project out --name konferanse --lang so --by "Hodan"
    """
    r = api.kit_import(path, project, name, lang, contributor)
    click.echo(f"{name}.{lang}: saved as {r.label} by {r.contributor} ({r.cues} cues)")


@click.command("review")
@click.argument("project", type=click.Path(path_type=Path))
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--share", is_flag=True, help="Serve to the network; prints a random access token every request must carry.")
def review_cmd(project, port, host, share):
    """Review and correct subtitles in the browser, beside the video.

    Edits of text and timing show rule breaches as you type; saving stores a
    new revision exactly as `accessmedia apply` does.

    \b
    Examples:
      accessmedia review out
      accessmedia review out --share --port 8080
    """
    from accessmedia.web import serve_review as serve

    if not project.is_dir():
        raise AccessMediaError(f"{project} is not a folder", "pass the folder transcribe and translate wrote to")
    serve(project, host, port, share)


@click.command("studio")
@click.argument("project", type=click.Path(path_type=Path), default=Path("."), required=False)
@click.option("--port", type=click.IntRange(1, 65535), default=8090, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--share", is_flag=True, help="Serve to the network; prints a random access token every request must carry.")
def studio_cmd(project, port, host, share):
    """The whole job in a browser: make an event (upload recordings, programme, languages, speech
    model), run it with live progress, review and correct every language, and publish.

    PROJECT is a folder (made if missing; default: here). What you enter is saved as
    PROJECT/event.toml, so `accessmedia process PROJECT/event.toml` runs the same event. A run
    goes on when the browser is closed, and resumes when the studio starts again.

    \b
    Examples:
      accessmedia studio konferanse-2026
      accessmedia studio konferanse-2026 --share --port 8090
    """
    from accessmedia.web import serve_studio as serve

    if project.exists() and not project.is_dir():
        raise AccessMediaError(f"{project} is not a folder", "pass a project folder (it is made if missing)")
    project.mkdir(parents=True, exist_ok=True)
    serve(project, host, port, share)


@click.command("speakers")
@click.argument("project", type=click.Path(path_type=Path))
@click.option("--name", "namings", multiple=True, metavar='"LABEL=NAME"',
              help='Name a speaker: --name "Taler 1=Amina Yusuf" (repeat for more). A name given before can be changed the same way.')
@click.option("--recording", default=None, help="Whose speaker LABEL is, when the folder has several recordings.")
@click.option("--only-here", is_flag=True, help="Name the voice in this recording only, not the same voice in the others.")
@click.option("--merge", is_flag=True, help='The name is another voice\'s: they are one person, make them one in every file '
              '(without it such a name is refused).')
@click.option("--by", "contributor", default="volunteer", show_default=True, help="Who named them, for the history.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable list.")
def speakers_cmd(project, namings, recording, only_here, merge, contributor, as_json):
    """List the speakers of the recordings in PROJECT, or name them.

    Speakers are "Taler 1", "Taler 2" ... until named. Naming one renames
    them in every cue of every language, the readable text, NAME.rttm and the
    package, each language as a new revision (see `accessmedia history`). In
    an event, the same voice in the other recordings is named too.

    \b
    Examples:
      accessmedia speakers out
      accessmedia speakers out --name "Taler 1=Amina Yusuf" --name "Taler 2=Piotr Nowak"
      accessmedia speakers out/event --recording panel --name "Taler 2=Amina Yusuf"
      accessmedia speakers out --name "Taler 3=Amina Yusuf" --merge   # the same person as Taler 1, named before
    """
    import json


    if namings:
        pairs = [api.parse_naming(n) for n in namings]
        for done in api.name_speakers(project, pairs, recording, contributor, across=not only_here, merge=merge):
            renamed = ", ".join([*(f"{old} -> {new}" for old, new in done.renamed.items()),
                                 *(f"{old} merged into {new}" for old, new in done.merged.items())])
            click.echo(f"{done.recording}: {renamed}; new revisions: {', '.join(done.languages) or 'none (no subtitles yet)'}")
            for kept in done.kept:
                click.echo(f"  {kept} was edited by a person: left as it is")
        return
    rows = api.describe_speakers(project)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for r in rows:
        same = "; same voice: " + ", ".join(f"{rec} {label}" for rec, label in r["same_voice"]) if r["same_voice"] else ""
        click.echo(f"{r['recording']}: {r['label']:<20} {r['seconds']:7.1f} s  {r['words']:5d} words  "
                   f"sample {r['sample'][0]:.1f}-{r['sample'][1]:.1f} s{same}")
