"""Options that several commands share, declared once: each group is a decorator that adds its options
and hands the command one record built from them (as sqlite-utils does with its option groups).

A new setting: a field in its part of `settings.Settings`, an option in the group here that fills it,
and the stage that uses it.
"""

from __future__ import annotations

import functools
from pathlib import Path

import click

from accessmedia.api import AccessMediaError, Decoding, ModelLoad, Recognition, Styles, Translation, diarizing, languages, load_glossary


def _group(options, build):
    """A decorator adding `options` and passing `build(**their values)` on under the name build returns."""

    def decorate(f):
        names = [o.name for o in options]

        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            values = {n: kwargs.pop(n) for n in names}
            kwargs.update(build(**values))
            return f(*args, **kwargs)

        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper

    return decorate


def _option(*decls, **attrs) -> click.Option:
    """A click option kept as an object, to be applied by a group."""
    def apply(f):
        return click.option(*decls, **attrs)(f)
    apply.name = click.Option(decls, **attrs).name
    return apply


def codes(text: str | None) -> list[str]:
    """Comma-separated language codes."""
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def out_option(default: Path | None = Path("out"), help: str = "Folder for the outputs."):
    return click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), default=default, show_default=default is not None, help=help)


formats_option = _group(
    [_option("--ttml", is_flag=True, help="Also write NAME.<lang>.ttml (TTML, IMSC 1.1 text profile, EBU-TT-D) per language.")],
    lambda ttml: {"formats": ("srt", "vtt", "ttml") if ttml else ("srt", "vtt")},
)

quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress, only warnings and the summary.")
force_option = click.option("--force", is_flag=True, help="Overwrite files even if someone edited them.")

styles_option = _group(
    [_option("--style", "style_path", type=click.Path(path_type=Path), default=None, help="Style profile TOML overriding the subtitle rules.")],
    lambda style_path: {"styles": Styles.read(style_path)},
)

speakers_option = _group([
    _option("--speakers", "speakers_count", default="auto", show_default=True, metavar="N|auto|off",
            help="Who speaks: found automatically (auto), a fixed number of speakers, or off (no speaker labels)."),
    _option("--speaker-model", default=None, help="Speaker model: a name from `accessmedia models list`. Default: campplus-3dspeaker."),
], lambda speakers_count, speaker_model: {"speakers": diarizing(speakers_count, speaker_model)})

glossary_option = _group(
    [_option("--glossary", type=click.Path(path_type=Path), default=None,
             help="Names and terms, one per line: hints for speech recognition, kept as they are in translation.")],
    lambda glossary: {"terms": load_glossary(glossary) if glossary else ()},
)


def _recognition(language, model, beam_size, device, compute_type, threads, audio_track, no_vad, accept_truncated) -> dict:
    load = ModelLoad(model=model, device=device, compute_type=compute_type, threads=threads)
    decode = Decoding(beam_size=beam_size, vad=not no_vad, audio_track=audio_track, accept_truncated=accept_truncated)
    return {"language": language, "recognition": Recognition(load, decode)}


recognition_options = _group([
    _option("--language", default="nb", show_default=True, help="Spoken language, BCP-47: nb (Bokmål), nn (Nynorsk), en, ..."),
    _option("--model", default=None, help="Speech model: a name from `accessmedia models list` or a model folder. Default: whisper-base."),
    _option("--beam-size", type=click.IntRange(1, 20), default=5, show_default=True, help="Beam search width for speech recognition; 1 is fastest."),
    _option("--device", type=click.Choice(["cpu", "cuda", "auto"]), default="cpu", show_default=True, help="Where the speech model runs."),
    _option("--compute-type", default="default", show_default=True, help="int8, int8_float16, float16, float32; default: int8 on CPU, float16 on CUDA."),
    _option("--threads", type=click.IntRange(0, 256), default=0, help="CPU threads; 0 = all cores."),
    _option("--audio-track", type=click.IntRange(1, 64), default=None,
            help="Audio stream to use, counting from 1 (e.g. 2 = interpreter). Default: the default stream."),
    _option("--no-vad", is_flag=True, help="Do not skip non-speech with voice activity detection."),
    _option("--accept-truncated", is_flag=True,
            help="A recording cut off before its declared length: warn and use what is there (default: an error)."),
], _recognition)

translation_options = _group([
    _option("--beam-size", type=click.IntRange(1, 10), default=2, show_default=True, help="Beam search width of the translation model."),
    _option("--device", type=click.Choice(["cpu", "cuda", "auto"]), default="cpu", show_default=True, help="Where the model runs."),
    _option("--threads", type=click.IntRange(0, 256), default=0, help="CPU threads; 0 = all cores."),
    _option("--route", "routes", multiple=True, metavar="LANG=MODEL[+MODEL]",
            help="Pin the models for a language: so=nllb-200-distilled-600M (direct) or ar=opus-mt-tc-big-gmq-en+en-ar "
                 "(through English). Default: the best installed route by published quality."),
], lambda beam_size, device, threads, routes: {"translation": Translation(beam_size=beam_size, device=device, threads=threads,
                                                                          routes=_pins(routes))})


def _pins(values) -> tuple[tuple[str, tuple[str, ...]], ...]:
    out = []
    for value in values:
        code, sep, models = value.partition("=")
        names = tuple(n.strip() for n in models.split("+") if n.strip())
        if not sep or len(names) not in (1, 2):
            raise AccessMediaError(f"--route {value}: not LANG=MODEL or LANG=MODEL+MODEL", "e.g. --route so=nllb-200-distilled-600M")
        out.append((languages.normalize(code), names))
    return tuple(out)
