"""Translate subtitles sentence by sentence, keeping them in step with the speech.

Cue-by-cue translation breaks every sentence that runs over two cues. Here
the cues are joined into sentences, the sentences are translated in batches
(CTranslate2 `translate_batch` on the route's models, each with its family's
own tokens: Argos, OPUS-MT, NLLB-200, MADLAD-400), and each translated sentence is shared out over
the time spans of the cues it came from, in proportion to their length and
at clause boundaries where there is one. The target language's style profile
then sets the lines. Cue count and timing stay those of the speech.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from accessmedia.core import languages
from accessmedia.subtitles import markup
from accessmedia.models import translation as mt_models
from accessmedia.subtitles import voices
from accessmedia.subtitles.cue import Cue
from accessmedia.subtitles.segmenter import fit_text
from accessmedia.core.errors import AccessMediaError
from accessmedia.models.translation import TranslationModel
from accessmedia.translation.routes import Route
from accessmedia.subtitles.style import StyleProfile

RLM = "\u200f"
LANGUAGE_TOKEN = re.compile(r"[a-z]{3}_[A-Z][a-z]{3}|<2[\w-]+>|>>[\w-]+<<")  # nob_Latn, <2so>, >>som<<: never text
SENTENCE_PAUSE = 2.0  # seconds between cues that end a sentence even without a full stop
MAX_SENTENCE_WORDS = 60


# -- sentences (pure) --------------------------------------------------------

@dataclass(frozen=True)
class Piece:
    """The part of one sentence that one cue shows."""

    cue: int
    sentence: int
    text: str


def sentences_of(cues: Sequence[Cue], sentence_end: str = ".?!…", breaks: frozenset[int] = frozenset()) -> tuple[list[str], list[Piece]]:
    """Join cue text into sentences; return the sentences and the pieces that map them back to cues.
    A sentence also ends before every cue in `breaks` (where the speaker changes)."""
    sentences: list[str] = []
    pieces: list[Piece] = []
    current: list[str] = []
    for n, cue in enumerate(cues):
        if current and n and (cue.start - cues[n - 1].end >= SENTENCE_PAUSE or n in breaks):
            sentences.append(" ".join(current))
            current = []
        piece: list[str] = []
        for word in markup.plain(" ".join(cue.lines)).split():  # the words, not their italics
            piece.append(word)
            current.append(word)
            if word.rstrip("\"'”»)").endswith(tuple(sentence_end)) or len(current) >= MAX_SENTENCE_WORDS:
                pieces.append(Piece(n, len(sentences), " ".join(piece)))
                sentences.append(" ".join(current))
                piece, current = [], []
        if piece:
            pieces.append(Piece(n, len(sentences), " ".join(piece)))
    if current:
        sentences.append(" ".join(current))
    return sentences, pieces


def distribute(translation: str, weights: Sequence[int], clause_end: str = ",;:–—") -> list[str]:
    """Share a translated sentence out over its pieces in proportion to `weights` (source lengths).

    Each cut moves to the nearest clause boundary within a fifth of the
    sentence, so that a cue ends where the sentence pauses.
    """
    words = translation.split()
    parts = len(weights)
    if parts == 1 or not words:
        return [" ".join(words)] + [""] * (parts - 1)
    ends = []  # character position after each word
    pos = 0
    for w in words:
        pos += len(w) + (1 if ends else 0)
        ends.append(pos)
    total_w = sum(weights) or parts
    cuts: list[int] = []
    acc = 0
    reach = max(2, len(words) // 5)
    for k in range(parts - 1):
        acc += weights[k]
        ideal_char = ends[-1] * acc / total_w
        ideal = min(range(len(words)), key=lambda i: abs(ends[i] - ideal_char)) + 1
        lo = (cuts[-1] if cuts else 0) + 1
        hi = len(words) - (parts - 1 - k)
        ideal = min(max(ideal, lo), max(lo, hi))
        at_clause = [c for d in range(reach + 1) for c in (ideal - d, ideal + d) if lo <= c <= hi and words[c - 1].endswith(tuple(clause_end))]
        cuts.append(at_clause[0] if at_clause else ideal)
    bounds = [0, *cuts, len(words)]
    return [" ".join(words[a:b]) for a, b in zip(bounds, bounds[1:])]


# -- glossary (pure) -----------------------------------------------------------

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def protect(text: str, terms: Sequence[str]) -> tuple[str, dict[str, str]]:
    """Replace glossary terms with numbers, which translation models copy unchanged."""
    mapping: dict[str, str] = {}
    for term in sorted(terms, key=len, reverse=True):
        pattern = re.compile(rf"(?<!\w){re.escape(term)}(?!\w)")
        if not pattern.search(text):
            continue
        n = 90411 + len(mapping)
        while str(n) in text:
            n += 97
        mapping[str(n)] = term
        text = pattern.sub(str(n), text)
    return text, mapping


def restore(text: str, mapping: dict[str, str]) -> tuple[str, list[str]]:
    """Put the terms back; return the text and any terms the model lost (appended, not dropped)."""
    lost = []
    ascii_digits = text.translate(_DIGITS)
    for number, term in mapping.items():
        index = ascii_digits.find(number)
        if index < 0:
            lost.append(term)
            continue
        text = text[:index] + term + text[index + len(number) :]
        ascii_digits = ascii_digits[:index] + term + ascii_digits[index + len(number) :]
    if lost:
        text = f"{text} ({', '.join(lost)})"
    return text, lost


# -- right to left (pure) ----------------------------------------------------------

def mark_rtl(line: str) -> str:
    """Right-to-left marks at both ends of a line: a line that starts with a Latin name or digits
    still reads right to left, and end punctuation stays at the line's end (its left)."""
    return f"{RLM}{line.strip(RLM)}{RLM}"


# -- the models and the cache ------------------------------------------------------

class LoadedTranslator:
    """An installed model of any family, loaded once, translating batches with CTranslate2. What differs
    between families is only how a sentence becomes tokens and tokens a sentence (mt_models.py):

    argos   Argos' own tokenizer (SentencePiece or BPE) and its target prefix;
    marian  source.spm pieces + </s>, opened by >>xxx<< in a multilingual model; target.spm decodes;
    nllb    [source language] + pieces + </s>; the target language is the target prefix, dropped after;
    madlad  <2xx> + pieces + </s>.
    """

    def __init__(self, model: TranslationModel, device: str = "cpu", threads: int = 0, beam_size: int = 2):
        import ctranslate2

        self.model = model
        self.beam_size = beam_size
        self.name = model.name
        folder = model.path / "model" if model.family == "argos" else model.path
        try:
            if model.family == "argos":
                from argostranslate.package import Package

                self.package = Package(model.path)
            else:
                import sentencepiece as spm

                self.source_sp = spm.SentencePieceProcessor(model_file=str(mt_models.sentencepiece_file(model.path, model.family, "source")))
                self.target_sp = spm.SentencePieceProcessor(model_file=str(mt_models.sentencepiece_file(model.path, model.family, "target")))
                self.vocab = mt_models.vocabulary(model.path)
            cores = threads or os.cpu_count() or 1
            parallel = 2 if device == "cpu" and cores >= 2 else 1  # two batches at once: 2.3-2.4x on 2 cores (bench/batching.py)
            self.translator = ctranslate2.Translator(str(folder), device=device, intra_threads=max(1, cores // parallel),
                                                     inter_threads=parallel)
        except (RuntimeError, ValueError, OSError) as exc:
            raise AccessMediaError(f"cannot load translation model {model.name}: {exc}", "reinstall it with `accessmedia models add`") from exc

    def _token(self, code: str) -> str:
        found = mt_models.token(self.model.family, code, self.vocab)
        if found is None:
            raise AccessMediaError(f"{self.model.name} has no language token for {code}", "choose another model for this language")
        return found

    def _encode(self, sentence: str, source: str, target: str) -> list[str]:
        family = self.model.family
        if family == "argos":
            return self.package.tokenizer.encode(sentence)
        pieces = self.source_sp.encode(sentence, out_type=str) + ["</s>"]
        if family == "nllb":
            return [self._token(source)] + pieces
        if family == "madlad":
            return [self._token(target)] + pieces
        if family == "marian":  # a multilingual OPUS-MT model reads its target from >>xxx<<; a one-pair model has none
            tag = mt_models.token(family, target, self.vocab)
            return ([tag] if tag and self.model.multilingual else []) + pieces
        return pieces

    def _prefix(self, target: str) -> list[str] | None:
        if self.model.family == "argos":
            return [self.package.target_prefix] if self.package.target_prefix else None
        if self.model.family == "nllb":
            return [self._token(target)]
        return None

    def _decode(self, tokens: list[str], prefix: list[str] | None) -> str:
        if self.model.family == "argos":
            value = self.package.tokenizer.decode(tokens)
            if prefix and value.startswith(prefix[0]):
                value = value[len(prefix[0]) :]
            return value
        if prefix and tokens[: len(prefix)] == prefix:
            tokens = tokens[len(prefix) :]
        return self.target_sp.decode([t for t in tokens if t not in ("</s>", "<pad>", "<s>") and not LANGUAGE_TOKEN.fullmatch(t)])

    def translate(self, sentences: Sequence[str], source: str, target: str, max_batch_tokens: int = 512) -> list[str]:
        if not sentences:
            return []
        tokenized = [self._encode(s, source, target) for s in sentences]
        prefix = self._prefix(target)
        results = self.translator.translate_batch(
            tokenized,
            target_prefix=[prefix] * len(tokenized) if prefix else None,
            max_batch_size=max_batch_tokens,
            batch_type="tokens",
            beam_size=self.beam_size,
            replace_unknowns=True,
            length_penalty=0.2,
            max_decoding_length=min(1024, 3 * max(len(t) for t in tokenized) + 16),
        )
        return [" ".join(self._decode(r.hypotheses[0], prefix).split()) for r in results]


class TranslationCache:
    """Sentences already translated by the same model are looked up, not translated again."""

    def __init__(self, path: Path | None):
        self.path = path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path) if path else ":memory:")
        self.db.execute("CREATE TABLE IF NOT EXISTS translation (model TEXT, source TEXT, target TEXT, PRIMARY KEY (model, source))")
        self.hits = 0
        self.misses = 0

    def lookup(self, model: str, sources: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(sources))
        for i in range(0, len(unique), 500):
            chunk = unique[i : i + 500]
            rows = self.db.execute(
                f"SELECT source, target FROM translation WHERE model = ? AND source IN ({','.join('?' * len(chunk))})",
                [model, *chunk],
            )
            found.update(rows.fetchall())
        return found

    def store(self, model: str, pairs: dict[str, str]) -> None:
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO translation VALUES (?, ?, ?)", [(model, s, t) for s, t in pairs.items()])

    def close(self) -> None:
        self.db.close()


@dataclass
class Engine:
    """Translation with the cache in front of the models. `load` gives a model loaded
    (runtime.LoadedModels.translator: a worker keeps its models for every recording it translates);
    a model is asked for only when the cache lacks a sentence."""

    cache: TranslationCache
    load: Callable[[TranslationModel], LoadedTranslator]
    beam_size: int = 2
    chunk: int = 128  # sentences per call and progress step
    translated: int = 0  # sentences the models actually translated (not from the cache)
    asked: int = 0  # sentences asked for, each language counted (a route through English: once, not per step)

    def translate(self, sentences: Sequence[str], route: Route, progress: Callable[[int], None] | None = None) -> list[str]:
        texts = list(sentences)
        self.asked += len(texts)
        for step in route.steps:
            key = step.cache_key(self.beam_size)
            known = self.cache.lookup(key, texts)
            todo = [s for s in dict.fromkeys(texts) if s not in known and s.strip()]
            model = self.load(step.model) if todo else None  # everything cached: the model is not even loaded
            self.cache.hits += len(set(texts) - set(todo))
            self.cache.misses += len(todo)
            if progress and len(texts) > len(todo):
                progress(len(texts) - len(todo))
            for i in range(0, len(todo), self.chunk):
                batch = todo[i : i + self.chunk]
                result = dict(zip(batch, model.translate(batch, step.source, step.target)))
                self.cache.store(key, result)
                known.update(result)
                self.translated += len(batch)
                if progress:
                    progress(len(batch))
            texts = [known.get(s, s) for s in texts]
        return texts


# -- the stage ---------------------------------------------------------------------

@dataclass(frozen=True)
class LanguageResult:
    language: str
    cues: tuple[Cue, ...]
    route: Route
    lost_terms: tuple[str, ...] = ()


def translate_cues(
    cues: Sequence[Cue],
    target: str,
    route: Route,
    engine: Engine,
    profile: StyleProfile,
    glossary: Sequence[str] = (),
    source_profile: StyleProfile | None = None,
    progress: Callable[[int], None] | None = None,
) -> LanguageResult:
    """Cues in the source language -> cues in `target`, same times. Who speaks comes through unchanged:
    sentences never run across a change of speaker, and voices, labels and dashes are kept as they are."""
    sentence_end = source_profile.sentence_end if source_profile else ".?!…"
    parts = [(n, u) for n, cue in enumerate(cues) for u in voices.units(cue.lines)]
    part_cues = [Cue(cues[n].start, cues[n].end, tuple(u.text.split("\n"))) for n, u in parts]
    breaks = frozenset(k for k in range(1, len(parts)) if parts[k][1].voice != parts[k - 1][1].voice)
    sentences, pieces = sentences_of(part_cues, sentence_end, breaks)
    masked, mappings = zip(*(protect(s, glossary) for s in sentences)) if sentences else ((), ())
    translated = engine.translate(list(masked), route, progress)
    lost: list[str] = []
    restored = []
    for text, mapping in zip(translated, mappings):
        text, missing = restore(text, mapping)
        lost.extend(missing)
        restored.append(text)
    per_cue: dict[int, list[str]] = {}
    of_sentence: dict[int, list[Piece]] = {}  # grouped once: looking them up per sentence grew with the square of the length
    for p in pieces:
        of_sentence.setdefault(p.sentence, []).append(p)
    of_cue: dict[int, list[tuple[int, voices.Unit]]] = {}
    for k, (m, u) in enumerate(parts):
        of_cue.setdefault(m, []).append((k, u))
    for sentence, text in enumerate(restored):
        own = of_sentence.get(sentence, [])
        for piece, part in zip(own, distribute(text, [len(p.text) for p in own], profile.clause_end)):
            if part:
                per_cue.setdefault(piece.cue, []).append(part)
    rtl = languages.direction(target) == "rtl"
    out: list[Cue] = []
    for n, cue in enumerate(cues):
        own = of_cue.get(n, [])
        texts = [" ".join(per_cue.get(k, [])) for k, _u in own]
        if len(own) == 2 and all(texts):  # two speakers: one line each, as in the source
            out.append(Cue(cue.start, cue.end, tuple(voices.compose(u, mark_rtl(t) if rtl else t) for (_k, u), t in zip(own, texts))))
            continue
        text = " ".join(t for t in texts if t)
        if not text:
            continue  # the translation was shorter than the source: this cue's span stays empty
        unit = own[0][1]
        for number, fitted in enumerate(fit_text(text, cue.start, cue.end, profile)):
            lines = tuple(mark_rtl(line) for line in fitted.lines) if rtl else fitted.lines
            if unit.voice:  # the label on the first cue of the turn only, the voice on every cue
                shown = voices.Unit(unit.voice, "", unit.labelled and number == 0, unit.dashed, unit.shown)
                lines = (voices.compose(shown, lines[0]),) + lines[1:]
            out.append(Cue(fitted.start, fitted.end, lines))
    return LanguageResult(target, tuple(out), route, tuple(dict.fromkeys(lost)))
