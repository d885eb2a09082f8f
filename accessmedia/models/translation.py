"""Translation models of every family, installed: Argos packages, OPUS-MT (Marian), NLLB-200, MADLAD-400.

All four run on CTranslate2 with SentencePiece; they differ in files and token conventions:

  argos   an .argosmodel package (argos.py installs it): metadata.json, model/, sentencepiece.model;
          one direction per package.
  marian  OPUS-MT converted for CTranslate2: model.bin, config.json, *vocabulary*, source.spm, target.spm;
          one direction, or one source into several targets chosen by a `>>som<<` token opening the source.
  nllb    NLLB-200: sentencepiece.bpe.model; the source language token (nob_Latn) opens the source, the
          target's (som_Latn) is the target prefix; 200 languages, any to any.
  madlad  MADLAD-400 (T5): sentencepiece.model or spiece.model; a `<2so>` tag opens the source; any to any.

A model folder is installed in `models_home()/translate/<name>/` with an accessmedia-model.json that records
its family, the directions it translates, its licence and the sha256 of model.bin. Which languages a
multilingual model has is read from its vocabulary: those whose language token it holds.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from accessmedia.models import argos, checkpoint, convert
from accessmedia.core import languages
from accessmedia.core.errors import AccessMediaError
from accessmedia.core.fsutil import staging_dir, write_atomic
from accessmedia.models.catalog import MANIFEST, CatalogEntry, catalog, install_target, models_home, plain_name, verify

FAMILIES = {"argos": "Argos Translate", "marian": "OPUS-MT", "nllb": "NLLB-200", "madlad": "MADLAD-400"}
CONVERTED = "accessmedia-converted.json"  # written beside a model this tool converted from a hub checkpoint
MAX_FOLDER = 48 << 30  # bytes: MADLAD-400 10B in float32 is 43 GB
TOKENIZERS = {"marian": ("source.spm", "target.spm"), "nllb": ("sentencepiece.bpe.model",),
              "madlad": ("sentencepiece.model", "spiece.model")}
KEEP = ("model.bin", "config.json", "shared_vocabulary.json", "shared_vocabulary.txt", "source_vocabulary.json",
        "source_vocabulary.txt", "target_vocabulary.json", "target_vocabulary.txt", "source.spm", "target.spm",
        "sentencepiece.bpe.model", "sentencepiece.model", "spiece.model", "tokenizer_config.json", "README.md", "LICENSE")

# Each family's token for a language, in order of preference: the first one the model's vocabulary holds is used.
NLLB_TOKENS = {
    "nb": ["nob_Latn"], "nn": ["nno_Latn"], "en": ["eng_Latn"], "ar": ["arb_Arab"], "pl": ["pol_Latn"], "uk": ["ukr_Cyrl"],
    "fa": ["pes_Arab"], "ur": ["urd_Arab"], "so": ["som_Latn"], "ti": ["tir_Ethi"], "sv": ["swe_Latn"], "da": ["dan_Latn"],
    "de": ["deu_Latn"], "fr": ["fra_Latn"], "es": ["spa_Latn"], "ru": ["rus_Cyrl"], "tr": ["tur_Latn"], "ps": ["pbt_Arab"],
    "ku": ["kmr_Latn"], "vi": ["vie_Latn"], "th": ["tha_Thai"], "zh": ["zho_Hans"], "ro": ["ron_Latn"], "lt": ["lit_Latn"],
    "fi": ["fin_Latn"], "am": ["amh_Ethi"], "sw": ["swh_Latn"], "hi": ["hin_Deva"], "bn": ["ben_Beng"], "pt": ["por_Latn"],
    "it": ["ita_Latn"], "nl": ["nld_Latn"],
}
_ISO3 = {"nb": ["nob", "nor"], "nn": ["nno", "nor"], "en": ["eng"], "ar": ["ara", "arb"], "pl": ["pol"], "uk": ["ukr"],
         "fa": ["pes", "fas"], "ur": ["urd"], "so": ["som"], "ti": ["tir"], "sv": ["swe"], "da": ["dan"], "de": ["deu"],
         "fr": ["fra"], "es": ["spa"], "ru": ["rus"], "tr": ["tur"], "ps": ["pus", "pbt"], "ku": ["kmr", "kur"], "vi": ["vie"],
         "th": ["tha"], "zh": ["zho", "cmn", "cmn_Hans"], "ro": ["ron"], "lt": ["lit"], "fi": ["fin"], "am": ["amh"],
         "sw": ["swa", "swh"], "hi": ["hin"], "bn": ["ben"], "pt": ["por"], "it": ["ita"], "nl": ["nld"]}
MARIAN_TOKENS = {code: [f">>{c}<<" for c in iso] for code, iso in _ISO3.items()}
MADLAD_TOKENS = {code: [f"<2{c}>" for c in ([code, "no"] if code == "nb" else [code])] for code in languages.LANGUAGES}
TOKENS = {"nllb": NLLB_TOKENS, "marian": MARIAN_TOKENS, "madlad": MADLAD_TOKENS}


def non_commercial(licence: str) -> bool:
    """CC-BY-NC-4.0 and the like: use for non-commercial purposes only."""
    parts = licence.upper().replace("_", "-").split("-")
    return "NC" in parts or "NON-COMMERCIAL" in licence.upper()


@dataclass(frozen=True)
class TranslationModel:
    """An installed translation model: what it is, where, and which directions it translates."""

    name: str
    family: str
    path: Path
    sha256: str
    directions: frozenset[tuple[str, str]]
    licence: str = ""
    source: str = ""

    @property
    def multilingual(self) -> bool:
        return len(self.directions) > 1

    @property
    def engine(self) -> str:
        return FAMILIES[self.family]

    def covers(self, source: str, target: str) -> bool:
        return (source, target) in self.directions

    def cache_key(self, source: str, target: str, beam_size: int) -> str:
        """What the cache files this model's translations under: a multilingual model's per direction."""
        direction = f"{source}-{target}:" if self.multilingual else ""
        return f"{self.sha256}:{direction}beam{beam_size}"

    def key(self, source: str, target: str) -> str:
        """What a processed recording's translation depends on (process.py's stage keys)."""
        return f"{self.sha256}:{source}-{target}" if self.multilingual else self.sha256


# -- reading a model folder ------------------------------------------------------------------

def vocabulary(folder: Path) -> set[str]:
    """The target (or shared) vocabulary of a CTranslate2 model folder."""
    for name in ("shared_vocabulary", "target_vocabulary", "source_vocabulary"):
        for suffix, read in ((".json", lambda p: json.loads(p.read_text(encoding="utf-8"))),
                             (".txt", lambda p: p.read_text(encoding="utf-8").splitlines())):
            path = folder / f"{name}{suffix}"
            if path.is_file():
                try:
                    words = read(path)
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    raise AccessMediaError(f"{path.name} cannot be read ({exc})", "get the model again") from None
                return set(words)
    return set()


def token(family: str, code: str, vocab: set[str]) -> str | None:
    """The token that names `code` for this family, if the vocabulary holds one."""
    return next((t for t in TOKENS.get(family, {}).get(code, []) if t in vocab), None)


def family_of(folder: Path) -> str:
    if (folder / "metadata.json").is_file() and (folder / "model").is_dir():
        raise AccessMediaError(f"{folder} is an unpacked Argos package", "add the .argosmodel file itself: accessmedia models add FILE.argosmodel")
    for family, names in TOKENIZERS.items():
        if family == "marian" and all((folder / n).is_file() for n in names):
            return family
        if family != "marian" and any((folder / n).is_file() for n in names):
            return family
    raise AccessMediaError(
        f"{folder} is not a translation model this tool knows (no source.spm/target.spm, sentencepiece.bpe.model "
        "or sentencepiece.model)", "add an OPUS-MT, NLLB-200 or MADLAD-400 model converted for CTranslate2")


def sentencepiece_file(folder: Path, family: str, side: str = "source") -> Path:
    if family == "marian":
        return folder / f"{side}.spm"
    return next(folder / n for n in TOKENIZERS[family] if (folder / n).is_file())


def directions_of(folder: Path, family: str, declared: list[tuple[str, str]] | None) -> frozenset[tuple[str, str]]:
    """The directions a model translates: declared (the catalogue or --pairs), else read from the model."""
    vocab = vocabulary(folder)
    if family in ("nllb", "madlad"):
        present = [c for c in languages.LANGUAGES if token(family, c, vocab)]
        if family == "madlad":  # the tag names only the target: any text it reads can be the source
            found = {(s, t) for s in languages.LANGUAGES for t in present if s != t}
        else:
            found = {(s, t) for s in present for t in present if s != t}
        if declared:
            missing = [f"{s}-{t}" for s, t in declared if (s, t) not in found]
            if missing:
                raise AccessMediaError(f"the model has no language token for {', '.join(missing)}", "check --pairs")
            return frozenset(declared)
        if not found:
            raise AccessMediaError(f"{folder}: the vocabulary holds no language token this tool knows", "is it an NLLB-200 or MADLAD-400 model?")
        return frozenset(found)
    if declared:
        return frozenset(declared)
    try:  # OPUS-MT models name their languages in tokenizer_config.json
        config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
        src = languages.normalize(str(config["source_lang"]))
        targets = {c for c in languages.LANGUAGES if token(family, c, vocab)}  # a multilingual model's >>xxx<< targets
        try:
            targets.add(languages.normalize(str(config["target_lang"])))
        except AccessMediaError:  # "mul", "gmq": a group, named by its tokens
            pass
        if not targets:
            raise KeyError("target_lang")
        return frozenset((src, t) for t in targets if t != src)
    except (OSError, KeyError, ValueError, AccessMediaError):
        raise AccessMediaError(f"{folder.name}: cannot tell which languages this OPUS-MT model translates",
                               "say it with --pairs, e.g. --pairs nb-en") from None


def is_translation_folder(path: Path) -> bool:
    """A folder that holds a translation model: converted for CTranslate2 (its SentencePiece files), or a hub
    checkpoint of an OPUS-MT, NLLB-200 or MADLAD-400 model."""
    if not path.is_dir():
        return False
    if checkpoint.is_checkpoint(path):
        try:
            return convert.model_type(path) in convert.FAMILY
        except AccessMediaError:
            return False
    return not (path / "tokenizer.json").is_file() and any((path / f).is_file() for fs in TOKENIZERS.values() for f in fs)


def check_folder(folder: Path) -> str:
    """A model folder's family, once its files are all there, plain files, and within the size limit."""
    if not folder.is_dir():
        raise AccessMediaError(f"{folder}: no such folder", "pass the folder that holds model.bin")
    family = family_of(folder)
    missing = [f for f in ("model.bin", "config.json") if not (folder / f).is_file()]
    if not vocabulary(folder):
        missing.append("shared_vocabulary.json")
    if missing:
        raise AccessMediaError(f"{folder} is not a CTranslate2 {FAMILIES[family]} model (missing {', '.join(missing)})",
                               "add the folder as the hub publishes it (config.json with .safetensors or pytorch_model.bin): it is converted")
    total = 0
    for name in KEEP:
        path = folder / name
        if path.is_symlink():
            raise AccessMediaError(f"{path} is a symbolic link", "copy the real files into the folder")
        if path.is_file():
            total += path.stat().st_size
    if total > MAX_FOLDER:
        raise AccessMediaError(f"{folder}: {total >> 30} GB, more than {MAX_FOLDER >> 30} GB", "is this the right folder?")
    return family


def _loads(folder: Path, family: str) -> None:
    import ctranslate2
    import sentencepiece as spm

    try:
        ctranslate2.Translator(str(folder), device="cpu", intra_threads=1)
        for side in ("source", "target"):
            spm.SentencePieceProcessor(model_file=str(sentencepiece_file(folder, family, side)))
    except Exception as exc:  # CTranslate2 and SentencePiece raise RuntimeError, ValueError, OSError ...
        raise AccessMediaError(f"the model does not load: {str(exc)[:200]}", "nothing was installed; get the model again") from None


def licence_gate(name: str, licence: str, accepted: str | None) -> None:
    """A non-commercial licence is accepted by naming it (`--accept-licence CC-BY-NC-4.0`), never by default."""
    if non_commercial(licence) and (accepted or "").strip().upper() != licence.upper():
        raise AccessMediaError(
            f"{name} is licensed {licence}: non-commercial use only; nothing was installed",
            f"if your use is non-commercial, run it again with --accept-licence {licence}")


# -- installing ---------------------------------------------------------------------------------

def add_folder(folder: str | os.PathLike, name: str | None = None, pairs: list[tuple[str, str]] | None = None,
               accept_licence: str | None = None, source: str | None = None,
               progress: Callable[[str], None] | None = None, move: bool = False) -> TranslationModel:
    """Check and install a CTranslate2 translation model folder (offline): the files, the licence, the
    directions, and that it loads, all before anything replaces an installed model of the same name. A folder
    as the hub publishes a model for PyTorch (config.json and safetensors or pytorch_model.bin) is converted
    first (convert.py), without torch."""
    folder = Path(folder).expanduser()
    if checkpoint.is_checkpoint(folder):
        return _add_checkpoint(folder, name, pairs, accept_licence, source, progress)
    # `move`: the folder is this tool's own (a download or a conversion): its files are moved, not copied
    family = check_folder(folder)
    name = name or plain_name(folder.name)
    entry, licence = _licence(name, family, folder)
    licence_gate(name, licence, accept_licence)
    declared = pairs or (catalog_directions(entry) if entry is not None else None)
    directions = directions_of(folder, family, declared)
    target = install_target("translate", name)
    with staging_dir(target) as tmp:
        for file in KEEP:
            if (folder / file).is_file():
                (os.replace if move else shutil.copy2)(folder / file, tmp / file)
        _loads(tmp, family)
        converted = (folder / CONVERTED).is_file()
        digest = verify(tmp / "model.bin", entry.sha256 if entry is not None and not converted else None, name)
        meta = {"name": name, "kind": "translate", "family": family, "source": source or f"folder:{folder.resolve()}",
                "sha256": digest, "licence": licence, "directions": sorted(f"{s}-{t}" for s, t in directions),
                "installed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        if converted:
            meta["converted"] = json.loads((folder / CONVERTED).read_text(encoding="utf-8"))
        write_atomic(tmp / MANIFEST, json.dumps(meta, indent=1) + "\n")
    return _read(target)


def _licence(name: str, family: str, folder: Path) -> tuple[CatalogEntry | None, str]:
    """The catalogue's entry for `name` (when it is a translation model of this family) and its licence;
    NLLB-200 is CC-BY-NC-4.0 wherever it comes from."""
    entry = catalog().get(name)
    if entry is None or entry.kind != "translate":
        return None, "CC-BY-NC-4.0" if family == "nllb" else ""
    if entry.family and entry.family != family:
        raise AccessMediaError(f"{folder} is a {FAMILIES[family]} model, but {name} is {FAMILIES[entry.family]} in the catalogue",
                               "check the folder, or add it under another --name")
    return entry, entry.licence


def _add_checkpoint(folder: Path, name: str | None, pairs, accept_licence: str | None, source: str | None,
                    progress: Callable[[str], None] | None) -> TranslationModel:
    """Convert a hub checkpoint to CTranslate2 int8 beside the installed models, then install that (the
    licence is checked before the minutes conversion takes)."""
    family = convert.FAMILY[convert.model_type(folder)]
    name = name or plain_name(folder.name)
    _, licence = _licence(name, family, folder)
    licence_gate(name, licence, accept_licence)
    home = models_home() / "translate"
    home.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=home, prefix=".convert-") as tmp:
        out = Path(tmp) / name
        if progress:
            progress(f"converting {folder.name} ({FAMILIES[family]}) to CTranslate2 int8, without torch")
        started = time.monotonic()
        convert.convert(folder, out)
        record = {"from": folder.name, "by": "accessmedia", "quantization": "int8", "seconds": round(time.monotonic() - started, 1)}
        (out / CONVERTED).write_text(json.dumps(record) + "\n", encoding="utf-8")
        if progress:
            progress(f"converted in {record['seconds']} s; checking that it loads")
        return add_folder(out, name, pairs, accept_licence, source or f"folder:{folder.resolve()}", move=True)


def install(name: str, accept_licence: str | None = None, progress: Callable[[str], None] | None = None) -> TranslationModel:
    """Install a catalogue translation model from the hub (needs network); the licence is checked first, then the
    free space. A repository published for PyTorch is downloaded as weights and tokenizer, checked against the
    catalogue's sizes and hashes, and converted (no torch). An interrupted download is resumed by the next run."""
    entry = catalog().get(name)
    if entry is None or entry.kind != "translate":
        raise AccessMediaError(f"no translation model named '{name}' in the catalogue", "`accessmedia models list` shows them")
    licence_gate(name, entry.licence, accept_licence)
    scheme, _, repo = entry.source.partition(":")
    if scheme != "hf":
        raise AccessMediaError(f"catalogue entry '{name}' has an unknown source '{entry.source}'")
    from accessmedia.models import hubfiles

    home = models_home() / "translate"
    folder = home / f".download-{name}"  # kept when a download fails: the next run resumes it
    checkpoint_entry = entry.format == "checkpoint"
    patterns = hubfiles.patterns_for(entry)
    hubfiles.check_space(entry, patterns, folder, converted=checkpoint_entry)
    hubfiles.download(entry, repo, patterns, folder, progress)
    if not checkpoint_entry and entry.tokenizer and not any((folder / n).is_file() for n in TOKENIZERS.get(entry.family, ())):
        owner_repo, _, file = entry.tokenizer.partition("#")
        hubfiles.download(entry, owner_repo, [file], folder, progress)
    model = add_folder(folder, name, accept_licence=accept_licence, source=entry.source, progress=progress, move=True)
    shutil.rmtree(folder, ignore_errors=True)
    return model


def catalog_directions(entry: CatalogEntry) -> list[tuple[str, str]] | None:
    if not entry.directions:
        return None
    return [tuple(d.split("-", 1)) for d in entry.directions]


# -- what is installed ----------------------------------------------------------------------------

def _read(folder: Path) -> TranslationModel:
    meta = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    directions = frozenset(tuple(d.split("-", 1)) for d in meta["directions"])
    return TranslationModel(meta["name"], meta["family"], folder, meta["sha256"], directions, meta.get("licence", ""), meta.get("source", ""))


def argos_name(package: argos.InstalledPackage) -> str:
    """An Argos package goes by its pair (nb-en), as it is installed (translate/nb-en)."""
    return package.pair


def installed() -> dict[str, TranslationModel]:
    """Every installed translation model by name: Argos packages (nb-en ...) and model folders."""
    found: dict[str, TranslationModel] = {}
    known = catalog()
    for pkg in argos.installed().values():
        entry = known.get(argos_name(pkg))
        found[argos_name(pkg)] = TranslationModel(argos_name(pkg), "argos", pkg.path, pkg.sha256,
                                                  frozenset({(pkg.from_code, pkg.to_code)}), entry.licence if entry else "")
    for manifest in sorted((models_home() / "translate").glob(f"*/{MANIFEST}")):
        try:
            meta = json.loads(manifest.read_text(encoding="utf-8"))
            if meta.get("family") in FAMILIES and meta["family"] != "argos":
                model = _read(manifest.parent)
                found[model.name] = model
        except (OSError, KeyError, ValueError):
            continue
    return found
