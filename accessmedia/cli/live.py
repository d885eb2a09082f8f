"""`accessmedia live`: caption and translate a stream as it happens, with the caption page and overlay served."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import click

from accessmedia import api
from accessmedia.api import Translation, build
from accessmedia.cli.display import TerminalReporter
from accessmedia.cli.options import codes, glossary_option, out_option, recognition_options, speakers_option, styles_option


@click.command("live")
@click.argument("source")
@click.option("--to", "targets", default="", help="Languages to translate into as it happens, comma-separated (en,ar,pl,...).")
@out_option(default=None, help="Folder for the session: NAME.live.jsonl, the recording NAME.mkv (default: out, or the event's "
                              "output folder's live/ with --event).")
@click.option("--name", default=None, help="Name of the session (default: the input's file name, else 'live').")
@click.option("--event", "manifest", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The event's manifest (event.toml): its languages, glossary, programme (speakers' names as hotwords), "
                   "[[voice]] clips (voices named on the page), style, model and routes. Its recordings need not exist yet.")
@recognition_options
@speakers_option
@glossary_option
@styles_option
@click.option("--realtime", is_flag=True, help="Read a file at its own speed, as if it were live (rehearsals, tests).")
@click.option("--input-option", "input_options", multiple=True, metavar="OPT",
              help="An ffmpeg input option passed through before the input, e.g. --input-option=-f --input-option=pulse.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address of the caption page.")
@click.option("--port", default=8090, show_default=True, help="Port of the caption page.")
@click.option("--share", is_flag=True, help="Serve the caption page to the network (every request needs the printed token).")
@click.option("--public-captions", is_flag=True, help="With --share: the caption page, overlay and feed open without the token.")
@click.option("--no-page", is_flag=True, help="Serve no caption page (the record and the recording only).")
@click.option("--no-hls", is_flag=True, help="Write no live HLS (OUT/live/master.m3u8: the video passed through, captions per language).")
@click.option("--youtube-captions", "youtube", default=None, metavar="URL",
              help="YouTube Live's caption ingestion URL (YouTube Studio: the stream's closed captions, POST captions to URL).")
@click.option("--youtube-language", default=None, metavar="LANG", help="The language sent to YouTube (default: the spoken one).")
def live_cmd(source, targets, out_dir, name, manifest, language, recognition, speakers, terms, styles, realtime, input_options, host, port, share,
             public_captions, no_page, no_hls, youtube, youtube_language):
    """Caption a live stream as it happens, and translate it.

    SOURCE is anything ffmpeg reads live: srt://:9000?mode=listener,
    rtmp://0.0.0.0:1935/live (with --input-option=-listen --input-option=1, so
    OBS or vMix can send to it), udp://127.0.0.1:5000, an HLS address, a
    capture device (pulse:default, alsa:hw:1), or a
    file with --realtime. Models are loaded before the input is opened.
    Participants open the caption page; the stream producer adds
    /overlay?lang=xx as a browser source; /watch plays the stream with its
    captions (OUT/live/master.m3u8, live HLS when the input has video);
    --youtube-captions sends one language to YouTube Live. At the end (the input ends, or
    Ctrl-C, which finishes what is under way) OUT holds NAME.live.jsonl (what was shown, when) and the recording
    NAME.mkv, which `accessmedia process OUT/NAME.mkv -o OUT/..` finishes.

    \b
    Examples:
      accessmedia live udp://127.0.0.1:5000 --to en,ar -o live
      accessmedia live srt://0.0.0.0:9000?mode=listener --event event.toml
      accessmedia live samples/konferanse.mp4 --realtime --to en -o rehearsal
    """
    settings = build(language, recognition, codes(targets), terms, style=styles, translation=Translation(threads=1), speakers=speakers)
    if manifest is not None:
        event = api.load_event(manifest, language, live=True)
        settings = api.live_settings(event, settings, tuple(codes(targets)) if targets else None)
        out_dir = out_dir or event.output / "live"
    out_dir = out_dir or Path("out")
    name = name or (Path(source).stem if "://" not in source else "live")
    youtube_language = api.languages.normalize(youtube_language) if youtube_language else None
    session = api.LiveSession(source, out_dir, api.plain_name(name), settings, realtime, tuple(input_options), reporter=TerminalReporter(),
                              with_hls=not no_hls, youtube=youtube, youtube_lang=youtube_language)
    stop = threading.Event()

    def finish(signum, frame):  # Ctrl-C: the input is closed and the session ends as if it had (the recording joined)
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        click.echo("stopping: the captions and the recording are being finished (Ctrl-C again to quit at once)", err=True)

    previous = signal.signal(signal.SIGINT, finish), signal.signal(signal.SIGTERM, finish)
    server = None
    if not no_page:
        from accessmedia.web.live import serve_in_thread

        server = serve_in_thread(session.feed, host, port, share, public_captions, None if no_hls else Path(out_dir) / "live")
    try:
        record = session.run(stop)
    except KeyboardInterrupt:
        click.echo("stopped at once: the record is kept, the recording's parts are NAME.live*.mkv", err=True)
        raise SystemExit(130) from None
    finally:
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])
        if server is not None:
            server.should_exit = True
    click.echo(f"captions -> {record}")
