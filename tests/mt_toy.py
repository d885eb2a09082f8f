"""Small, real translation models of each CTranslate2 family, made at test time, as the hubs publish them.

Like argos_toy.py (whose tables and hand-set Transformer they reuse), every file is real: a SentencePiece
model and a CTranslate2 model that translates character by character (or piece by piece) through fixed
tables, so outputs are predictable. Each family keeps its own token conventions, which is what the code
under test must get right:

  marian  OPUS-MT converted by ct2-transformers-converter: model.bin, config.json, shared_vocabulary.json,
          source.spm, target.spm; the source ends with </s>; a multilingual model reads its target
          language from a `>>som<<` token that opens the source.
  nllb    NLLB-200: sentencepiece.bpe.model; source = [nob_Latn] + pieces + [</s>], the target language
          (som_Latn) is the first token of the target (a prefix), the decoder starts from </s>.
  madlad  MADLAD-400 (T5): sentencepiece.model; the source opens with `<2so>` and ends with </s>, the
          decoder starts from <pad>.

Tables (argos_toy.table): en = upper case, so = letters one on in the alphabet, ti = Ethiopic syllables,
ar = Arabic letters. `expected(text, ("nb", "so"))` is what a model makes of a text.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from .argos_toy import build_ctranslate2, table, vocabulary

NLLB_CODES = {"nb": "nob_Latn", "en": "eng_Latn", "so": "som_Latn", "ti": "tir_Ethi", "ar": "arb_Arab"}
MARIAN_CODES = {"en": ">>eng<<", "so": ">>som<<", "ti": ">>tir<<", "ar": ">>ara<<"}
MADLAD_CODES = {"en": "<2en>", "so": "<2so>", "ti": "<2ti>", "ar": "<2ar>"}


def _tables(targets: list[str], source: str) -> list[dict[str, str]]:
    return [table(source, t) for t in targets]


def build_marian(dest: Path, source: str, targets: list[str], size: str = "tiny", corpus: str = "") -> Path:
    """An OPUS-MT model folder: one pair (no language token) or one source to several targets (>>xxx<<)."""
    multi = len(targets) > 1
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sp_model, vocab, maps = vocabulary(_tables(targets, source), size, corpus, work)
        tags = [MARIAN_CODES[t] for t in targets] if multi else []
        vocab = vocab + tags + ["<pad>"]
        dest.mkdir(parents=True, exist_ok=True)
        build_ctranslate2(dest, vocab, maps[0], size, targets=dict(zip(tags, maps)) if multi else None,
                          tags="source", shift=1 if multi else 0, start="<pad>", source_eos=False)
        shutil.copy(sp_model, dest / "source.spm")
        shutil.copy(sp_model, dest / "target.spm")
    config = {"source_lang": source, "target_lang": targets[0] if not multi else "mul", "tokenizer_class": "MarianTokenizer"}
    (dest / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    return dest


def build_nllb(dest: Path, languages: list[str] = ("nb", "en", "so", "ti", "ar"), size: str = "tiny", corpus: str = "") -> Path:
    """An NLLB-200 model folder for `languages` (every one a possible target; tables from Latin text)."""
    targets = [code for code in languages if code != "nb"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sp_model, vocab, maps = vocabulary(_tables(targets, "nb"), size, corpus, work)
        vocab = vocab + [NLLB_CODES[c] for c in languages] + ["<pad>"]
        dest.mkdir(parents=True, exist_ok=True)
        build_ctranslate2(dest, vocab, maps[0], size, targets={NLLB_CODES[t]: m for t, m in zip(targets, maps)},
                          tags="target", shift=0, start="</s>", source_eos=False)
        shutil.copy(sp_model, dest / "sentencepiece.bpe.model")
    return dest


def build_madlad(dest: Path, targets: list[str] = ("en", "so", "ti", "ar"), size: str = "tiny", corpus: str = "") -> Path:
    """A MADLAD-400 model folder translating any Latin text into `targets`."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sp_model, vocab, maps = vocabulary(_tables(list(targets), "nb"), size, corpus, work)
        tags = [MADLAD_CODES[t] for t in targets]
        vocab = vocab + tags + ["<pad>"]
        dest.mkdir(parents=True, exist_ok=True)
        build_ctranslate2(dest, vocab, maps[0], size, targets=dict(zip(tags, maps)), tags="source", shift=1,
                          start="<pad>", source_eos=False)
        shutil.copy(sp_model, dest / "sentencepiece.model")
    return dest
