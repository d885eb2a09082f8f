"""The `accessmedia` command: thin click wrappers over accessmedia.api."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from accessmedia import __version__, api
from accessmedia.api import AccessMediaError, Packaging, Translation, build, clock, from_os_error
from accessmedia.cli import corrections as corrections_cli
from accessmedia.cli import live as live_cli
from accessmedia.cli import models as models_cli
from accessmedia.cli.display import RunDisplay, TerminalReporter as Reporter
from accessmedia.cli.options import codes as _codes
from accessmedia.cli.options import (force_option, formats_option, glossary_option, out_option, quiet_option, recognition_options,
                                     speakers_option, styles_option, translation_options)


class _Group(click.Group):
    """Turns every AccessMediaError, and every error of the system (disk full, no permission), into one
    line on stderr and exit status 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AccessMediaError as exc:
            click.echo(f"error: {exc.one_line()}", err=True)
            sys.exit(1)
        except BrokenPipeError:  # the reader of our output went away (`| head`): not an error to report
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        except OSError as exc:
            click.echo(f"error: {from_os_error(exc).one_line()}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("error: interrupted; files already finished are kept, nothing half-written", err=True)
            sys.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="accessmedia")
def main():
    """Accessible event recordings: Norwegian subtitles, translations and packages.

    \b
    Example:
      accessmedia transcribe samples/konferanse.mp4 -o out
    """


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@out_option()
@recognition_options
@speakers_option
@glossary_option
@styles_option
@formats_option
@force_option
@quiet_option
def transcribe(inputs, out_dir, language, recognition, speakers, terms, styles, formats, force, quiet):
    """Transcribe recordings into Norwegian subtitles.

    Writes NAME.nb.srt, NAME.nb.vtt, NAME.txt and NAME.transcript.json
    (word-level, the source for translation and corrections) per input, and
    who speaks: NAME.speakers.json and NAME.rttm (--speakers off: none).

    \b
    Examples:
      accessmedia transcribe samples/konferanse.mp4 -o out
      accessmedia transcribe day1/*.mp4 -o out --model nb-whisper-small --glossary names.txt
      accessmedia transcribe panel.mkv --audio-track 2 --language nn -o out
    """
    settings = build(language, recognition, terms=terms, style=styles, formats=formats, speakers=speakers)
    reporter = Reporter(quiet=quiet)
    results = api.transcribe(inputs, out_dir, settings, force, reporter)
    for r in results:
        rtf = r.seconds_taken / r.duration if r.duration else 0.0
        click.echo(
            f"{r.input.name}: {r.duration / 60:.1f} min audio, {r.cues} cues, "
            f"{r.conformance.met()}, "
            f"{r.seconds_taken:.1f} s ({rtf:.2f}x real time)"
            + (f", {r.removed} hallucinated passages removed" if r.removed else "")
        )
        click.echo("  -> " + "  ".join(str(path) for path in r.outputs.values()))


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--language", default=None, help="Language of the subtitles, for its style rules and code page; default: the code in the name (NAME.<lang>.srt), else nb.")
@styles_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report.")
def check(file, language, styles, as_json):
    """Check a subtitle file (SRT or WebVTT) against the subtitle rules.

    Exit status 1 when the file is broken (unreadable, blocks a player would
    skip, overlapping cues, cues out of order or ending before they start);
    style advice alone exits 0. Every skipped block is listed with its line.

    \b
    Example:
      accessmedia check out/konferanse.nb.srt
    """
    result = api.check(file, language, styles)
    if as_json:
        for chunk in result.json_chunks():
            click.echo(chunk, nl=False)
    else:
        click.echo(f"{file}: {result.cues} cues, {result.format.upper()}, {result.encoding}")
        for w in result.warnings:
            click.echo(f"  warning: {w}")
        for skipped in result.skipped:
            click.echo(f"  error: {skipped}")
        for rule, share in result.conformance.summary().items():
            click.echo(f"  {rule:<14} {share:7.1%} of cues ok")
        breaches = result.conformance.breaches
        for first in range(0, len(breaches), 10_000):  # written in batches: a large file has a breach per cue
            click.echo("\n".join(f"  {'error' if b.rule in api.ERROR_RULES else 'advice'}: cue {b.cue} at "
                                  f"{clock(b.start, millis='.')}: {b.rule}: {b.detail}" for b in breaches[first : first + 10_000]))
    if result.broken:
        sys.exit(1)


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("--to", "targets", required=True, help="Target languages, BCP-47, comma-separated: en,ar,pl,uk,fa,ur,so,ti")
@out_option()
@glossary_option
@styles_option
@translation_options
@formats_option
@force_option
@quiet_option
def translate(input_path, targets, out_dir, terms, styles, translation, formats, force, quiet):
    """Translate subtitles into the languages participants use, offline.

    INPUT is NAME.transcript.json (from `transcribe`) or NAME.nb.srt / .vtt.
    Writes NAME.<lang>.srt and .vtt per language. Languages without a model
    (e.g. Somali, Tigrinya) do not fail the run: they get NAME.<lang>.template.csv,
    timed cues with the Norwegian and English text, for volunteers to fill in.

    \b
    Examples:
      accessmedia translate out/konferanse.transcript.json --to en,ar,pl,uk,fa,ur,so,ti -o out
      accessmedia translate out/konferanse.nb.srt --to en --glossary names.txt -o out
    """
    reporter = Reporter(quiet=quiet)
    settings = build(targets=_codes(targets), terms=terms, style=styles, translation=translation, formats=formats)
    result = api.translate(input_path, out_dir, settings, force, reporter)
    for lang, p in result.produced.items():
        click.echo(f"{lang}: {p['cues']} cues ({p['route']}: {p['engine']}), {p['conformance'].met()} -> {p['srt']}")
    for lang, m in result.missing.items():
        click.echo(f"{lang}: missing ({m['why']}) -> template {out_dir / m['template']}")
    click.echo(
        f"{result.sentences} sentences: {result.translated} translated, {result.cached} from the cache, {result.seconds_taken:.1f} s"
    )


@main.command("package")
@click.argument("recording", type=click.Path(path_type=Path))
@click.option("--subs", "subs_dir", type=click.Path(path_type=Path), required=True, help="Folder with NAME.<lang>.vtt/.srt (what transcribe and translate wrote).")
@click.option("-o", "--out", "dist", type=click.Path(path_type=Path), default=Path("dist"), show_default=True, help="Package folder; replaced whole when the new one is complete.")
@click.option("--langs", default=None, help="Languages to include, comma-separated; default: every subtitle file found.")
@click.option("--title", default=None, help="Title for the page and upload metadata; default: from the file name.")
@click.option("--burn", "burn", multiple=True, help="Also write DIST/social/NAME.<lang>.mp4 with this language burned in (repeatable).")
@click.option("--ladder", default=None, help="Extra HLS renditions by height, comma-separated, e.g. 720,360 (only those below the source).")
@click.option("--chapters", type=click.Path(path_type=Path), default=None, help="Chapters, one a line: '0:00 Åpning', '12:30 Panel'; written as YouTube chapters.")
def package_cmd(recording, subs_dir, dist, langs, title, burn, ladder, chapters):
    """Package a recording for streaming: HLS with subtitles, a replay page and an upload bundle.

    DIST/hls/master.m3u8 has one WebVTT rendition per language (Norwegian the
    default); DIST/site/index.html plays it with a subtitle menu and a
    searchable transcript (serve DIST with any web server); DIST/upload has a
    faststart mp4, one plain SRT per language and metadata.json for YouTube and Vimeo. H.264/AAC is copied, anything else
    transcoded; a recording without video gets an audio-only HLS and a poster.

    \b
    Examples:
      accessmedia package samples/konferanse.mp4 --subs out -o dist
      accessmedia package samples/konferanse.mp4 --subs out -o dist --burn ar --burn en
      accessmedia package opptak.mkv --subs out -o dist --ladder 720,360
    """
    try:
        rungs = [int(x) for x in ladder.split(",") if x.strip()] if ladder else []
    except ValueError:
        raise AccessMediaError(f"--ladder takes heights in pixels, like 720,360; not {ladder!r}") from None
    packaging = build(packaging=Packaging(title, tuple(rungs), tuple(burn), languages=tuple(_codes(langs)) if langs else None)).packaging
    result = api.package(recording, subs_dir, dist, packaging, chapters)
    how = "stream copy" if result.copied else "transcoded"
    click.echo(f"{recording.name}: HLS ({how}{', audio only' if result.audio_only else ''}) with {', '.join(result.languages)} "
               f"in {result.seconds_taken:.1f} s -> {result.master}  {result.site}  {result.upload}")
    for path in result.burned:
        click.echo(f"  open captions -> {path}")


@main.command("process")
@click.argument("recording", type=click.Path(path_type=Path))
@click.option("--to", "targets", default="", help="Languages to translate into, comma-separated (en,ar,pl,...).")
@out_option(help="Outputs go to OUT/NAME/.")
@recognition_options
@speakers_option
@glossary_option
@styles_option
@formats_option
@click.option("--title", default=None, help="Title for the replay page and uploads.")
@click.option("--workers", type=click.IntRange(1, 256), default=None, help="Recordings processed at once (an event); default: the manifest's, else 1.")
@click.option("--executor", type=click.Choice(["local", "ray"]), default=None, help="local: worker processes on this machine; ray: tasks on a Ray cluster.")
@click.option("--ray-address", default=None, help="Ray cluster to use (host:port, or auto); default: a new local Ray instance.")
@quiet_option
def process_cmd(recording, targets, out_dir, language, recognition, speakers, terms, styles, formats, title, workers, executor,
                ray_address, quiet):
    """Every stage for one recording, or for a whole event: transcribe, cues, translate, package.

    RECORDING goes to OUT/NAME/, with a run report in OUT/NAME/report.html
    and .json. An event manifest (event.toml, see samples/event.toml) lists the
    recordings, languages, programme, glossary and output settings; it is
    checked before any work starts, the sessions run in parallel workers
    (--workers) or on a Ray cluster (--executor ray), each goes to
    OUTPUT/NAME/, OUTPUT/index.html links every replay page and
    OUTPUT/report.html reports the run. Stages whose inputs and settings have
    not changed since they last finished are skipped, so a rerun after a
    crash resumes, adding a language only translates and packages, and a new
    style profile only makes the cues again and what follows.

    \b
    Examples:
      accessmedia process samples/konferanse.mp4 --to en,ar,so -o out
      accessmedia process samples/event.toml --workers 2
      accessmedia process event.toml --executor ray --ray-address auto
    """
    translation = Translation(threads=recognition.load.threads)  # the cores given to recognition serve translation too
    manifest = api.is_manifest(recording)  # a manifest brings its languages, glossary and programme
    settings = build(language, recognition, () if manifest else _codes(targets), () if manifest else terms, style=styles,
                     translation=translation, packaging=Packaging() if manifest else Packaging(title), formats=formats,
                     speakers=speakers)
    outcome = api.process(recording, out_dir, settings, title, workers, executor, ray_address,
                          lambda names, stages: RunDisplay(names, stages, quiet=quiet))
    for result in outcome.results:
        if result.error:
            continue
        if outcome.index is not None:
            click.echo(_ran_line(result))
        else:
            page = api.RecordingFiles(result.folder, result.name).replay_page
            click.echo(_ran_line(result) + f" -> {result.folder}; replay page: {page if page.exists() else 'not made'}; "
                       f"report: {outcome.report_files[1]}")
    if outcome.index is not None:
        click.echo(f"event: {outcome.sessions} sessions -> {outcome.index}; report: {outcome.report_files[1]}")
    for result in outcome.failed:
        click.echo(f"error: {result.name}: {result.error}", err=True)
    if outcome.failed:
        sys.exit(1)


def _ran_line(result) -> str:
    return (f"{result.name}: ran {', '.join(result.ran) or 'nothing'}"
            + (f"; up to date: {', '.join(result.skipped)}" if result.skipped else "")
            + f" ({result.seconds_taken:.1f} s)")


@main.command("cues")
@click.argument("transcript", type=click.Path(path_type=Path))
@out_option(default=None, help="Folder for the subtitles; default: the transcript's.")
@styles_option
@formats_option
@force_option
def cues_cmd(transcript, out_dir, styles, formats, force):
    """Make the subtitles again from a word-level transcript (no speech recognition), e.g. with another style.

    \b
    Example:
      accessmedia cues out/konferanse.transcript.json --style teksting.toml
    """
    result = api.cues(transcript, out_dir, styles, force, Reporter(), formats)
    click.echo(f"{result.cues} cues, {result.conformance.met()}")
    click.echo("  -> " + "  ".join(str(path) for path in result.outputs.values()))


main.add_command(models_cli.models)
main.add_command(live_cli.live_cmd)
for _command in (corrections_cli.apply_cmd, corrections_cli.history_cmd, corrections_cli.restore_cmd, corrections_cli.kit,
                 corrections_cli.review_cmd, corrections_cli.speakers_cmd, corrections_cli.studio_cmd):
    main.add_command(_command)


if __name__ == "__main__":
    main()
