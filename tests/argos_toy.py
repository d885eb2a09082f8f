"""Small, real Argos Translate packages, made at test time.

Argos models cannot be downloaded here, so tests and benchmarks build their
own: a real SentencePiece model (character level, trained on the spot) and a
real CTranslate2 Transformer whose weights are set by hand so that it
translates character by character through a fixed table. The package is a
zip with metadata.json, model/ and sentencepiece.model, exactly as Argos
publishes them, so every line of loading, tokenising, batching and decoding
is the real thing, and outputs are predictable:

  nb->en, nn->en: upper case            ("hei på deg." -> "HEI PÅ DEG.")
  en->ar, en->fa, en->ur: Latin capitals -> Arabic letters, "?" -> "؟", "," -> "،"
  en->uk: Latin capitals -> Cyrillic
  en->pl: lower case

Digits are copied, as real models copy numbers (glossary placeholders rely on it).

The encoder passes one-hot token identities and a position code through;
the decoder's cross-attention at step t looks up source position t (the
position codes make that dot product the largest) and the output projection
maps the source token found there to its table entry. `size="subword"` learns a
BPE vocabulary from a given text and codes each piece as a random unit vector (benchmarks:
sentences as many tokens long as with a real model). `size="realistic"`
pads the model to Argos' shape (6 layers, d_model 512, FFN 2048) for
benchmarks: the extra weights are zero, so outputs do not change but the
arithmetic costs what a real model's does.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np

LOWER = "abcdefghijklmnopqrstuvwxyzæøåéü"
UPPER = LOWER.upper()
ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويةءآأ"
CYRILLIC = "АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЮЯЄІЇ"
ETHIOPIC = "ሀሁሂሃሄህሆለሉሊላሌልሎሐሑሒሓሔሕሖመሙሚማሜምሞረሩሪራ"
COMMON = " .,!?;:-'\"()0123456789%"


def table(src: str, tgt: str) -> dict[str, str]:
    """Character table of the toy model for one language pair."""
    if (src, tgt) in (("nb", "en"), ("nn", "en")):
        return {c: c.upper() for c in LOWER + UPPER + COMMON}
    if tgt in ("ar", "fa", "ur"):  # from English (or any Latin text)
        t = {c: c for c in COMMON}
        t.update({"?": "؟", ",": "،"})
        for latin, arabic in zip(UPPER, ARABIC):
            t[latin] = t[latin.lower()] = arabic
        return t
    if tgt == "uk":
        t = {c: c for c in COMMON}
        for latin, cyr in zip(UPPER, CYRILLIC):
            t[latin] = t[latin.lower()] = cyr
        return t
    if (src, tgt) == ("en", "pl"):
        return {c: c.lower() for c in LOWER + UPPER + COMMON}
    if tgt == "so":  # from any Latin text: letters one on in the alphabet, lower case (never a copy of the source)
        t = {c: c for c in COMMON}
        for i, c in enumerate(LOWER):
            t[c] = t[c.upper()] = LOWER[(i + 1) % 26] if i < 26 else c
        return t
    if tgt == "ti":  # from any Latin text: Ethiopic syllables and punctuation
        t = {c: c for c in COMMON}
        t.update({".": "።", ",": "፣", "?": "፧", ";": "፤", ":": "፥"})
        for latin, syllable in zip(UPPER, ETHIOPIC):
            t[latin] = t[latin.lower()] = syllable
        return t
    raise ValueError(f"no toy table for {src}->{tgt}")


def expected(text: str, *pairs: tuple[str, str]) -> str:
    """What the toy packages make of `text` through the given pairs."""
    for src, tgt in pairs:
        t = table(src, tgt)
        text = "".join(t.get(c, c) for c in text)
    return text


def _sentencepiece(chars: str, workdir: Path) -> Path:
    import sentencepiece as spm

    corpus = workdir / "corpus.txt"
    lines = [chars[i : i + 20] for i in range(0, len(chars), 20)] * 3
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    prefix = workdir / "sentencepiece"
    spm.SentencePieceTrainer.train(
        input=str(corpus), model_prefix=str(prefix), model_type="char", vocab_size=len(set(chars)) + 8,
        hard_vocab_limit=False, character_coverage=1.0, minloglevel=2, add_dummy_prefix=True,
        normalization_rule_name="identity", user_defined_symbols=[],
    )
    return prefix.with_suffix(".model")


def _subword_model(corpus: str, mapping: dict[str, str] | list[dict[str, str]], chars: str, workdir: Path,
                   vocab_size: int = 4000) -> Path:
    """A BPE SentencePiece model learnt from `corpus` and its translation by the table(s) (so both sides'
    pieces are in the vocabulary), every character of the tables kept."""
    import sentencepiece as spm

    text = corpus.strip() or chars
    translated = "\n".join("".join(m.get(c, c) for c in text) for m in (mapping if isinstance(mapping, list) else [mapping]))
    path = workdir / "corpus.txt"
    path.write_text(text + "\n" + translated + "\n" + "\n".join(chars[i: i + 20] for i in range(0, len(chars), 20)) + "\n", encoding="utf-8")
    prefix = workdir / "sentencepiece"
    spm.SentencePieceTrainer.train(
        input=str(path), model_prefix=str(prefix), model_type="bpe", vocab_size=vocab_size, hard_vocab_limit=False,
        character_coverage=1.0, minloglevel=2, add_dummy_prefix=True, normalization_rule_name="identity",
    )
    return prefix.with_suffix(".model")


def _position_codes(n: int, periods: list[float]) -> np.ndarray:
    p = np.arange(n)[:, None]
    w = 2 * np.pi / np.array(periods)[None, :]
    c = np.concatenate([np.cos(p * w), np.sin(p * w)], axis=1)
    return np.concatenate([c, -c], axis=1)  # rows sum to zero: RMS norm is the same at every position


def _shift_matrix(periods: list[float]) -> np.ndarray:
    """M with M @ code(p) = code(p + 1) for the position codes above: a rotation per period."""
    n = len(periods)
    m = np.zeros((4 * n, 4 * n), np.float32)
    for j, period in enumerate(periods):
        c, s = np.cos(2 * np.pi / period), np.sin(2 * np.pi / period)
        for base in (0, 2 * n):  # (cos, sin) and (-cos, -sin) rotate alike
            cj, sj = base + j, base + n + j
            m[cj, cj], m[cj, sj], m[sj, cj], m[sj, sj] = c, -s, s, c
    return m


def build_ctranslate2(out: Path, vocab: list[str], mapping: dict[str, str], size: str = "tiny", max_len: int = 1024,
                      targets: dict[str, dict[str, str]] | None = None, tags: str = "target", shift: int = 0,
                      start: str | None = None, source_eos: bool = True) -> None:
    """size "tiny" and "realistic" code each token as a one-hot block (exact); "subword" (a vocabulary of
    thousands of pieces in Argos' 512 dimensions) codes each as a random unit vector of 128 numbers, nearly
    orthogonal to every other, so the lookup still finds the right piece.

    `targets` (a language token -> its table) makes one model for several target languages, as NLLB,
    MADLAD-400 and multilingual OPUS-MT models are: the language token is looked for on the decoder's side
    (`tags="target"`, NLLB's target prefix) or in the source (`tags="source"`, `<2so>` or `>>som<<`) by an
    attention head of the first decoder layer, and the last layer's feed-forward turns it into a bonus for
    that language's output tokens and a penalty for the others'. `shift=1` makes output t translate source
    token t + 1 (a language token opens the source). `start` is the decoder's start token, `source_eos`
    whether CTranslate2 adds </s> to the source itself (Argos) or the tokens carry it (Transformers models)."""
    import ctranslate2
    from ctranslate2.specs import transformer_spec

    V = len(vocab)
    idx = {t: i for i, t in enumerate(vocab)}
    periods = [2.5, 3.3, 4.7, 6.1, 8.9, 13.7, 29.3, 71.1, 173.3, 997.0]
    P = 4 * len(periods)
    if size == "subword":
        K = 128
        codes = np.random.default_rng(7).normal(size=(V, K)).astype(np.float32)
        codes /= np.linalg.norm(codes, axis=1, keepdims=True)
    else:
        K, codes = V, np.eye(V, dtype=np.float32)
    langs = list(targets or {})
    L = len(langs)
    S0, P0, A0, T0 = 0, K, K + P, 2 * K + P  # blocks: source token, position, looked-up source token, target token
    B0, F0, L0, LA0, LB0 = 3 * K + P, 3 * K + P + 1, 3 * K + P + 2, 3 * K + P + 2 + L, 3 * K + P + 2 + 2 * L  # bias, tag flag, language
    used = 3 * K + P + (2 + 3 * L if L else 0)
    layers, d, ffn = (6, max(512, used), 2048) if size in ("realistic", "subword") else (2 if L else 1, used, max(4, L))
    pe = np.zeros((max_len, d), np.float32)
    pe[:, P0 : P0 + P] = _position_codes(max_len, periods)
    spec = transformer_spec.TransformerSpec.from_config(layers, 8 if size != "tiny" and d % 8 == 0 else 1, pre_norm=True, rms_norm=True)
    spec.config.add_source_eos = source_eos  # the decoder finds </s> at the source's end and stops
    if start:
        spec.config.decoder_start_token = start
    enc, dec = spec.encoder, spec.decoder
    enc.scale_embeddings = dec.scale_embeddings = False
    ones = np.ones(d, np.float32)

    def one_hot(offset: int) -> np.ndarray:
        e = np.zeros((V, d), np.float32)
        e[:, offset: offset + K] = codes
        return e

    def quiet_layer(layer, decoder: bool) -> None:
        layer.self_attention.layer_norm.gamma = ones
        layer.self_attention.linear[0].weight = np.zeros((3 * d, d), np.float32)
        layer.self_attention.linear[1].weight = np.zeros((d, d), np.float32)
        layer.ffn.layer_norm.gamma = ones
        layer.ffn.linear_0.weight = np.zeros((ffn, d), np.float32)
        layer.ffn.linear_1.weight = np.zeros((d, ffn), np.float32)
        if decoder:
            layer.attention.layer_norm.gamma = ones
            layer.attention.linear[0].weight = np.zeros((d, d), np.float32)
            layer.attention.linear[1].weight = np.zeros((2 * d, d), np.float32)
            layer.attention.linear[2].weight = np.zeros((d, d), np.float32)

    source_embedding, target_embedding = one_hot(S0), one_hot(T0)
    if L:
        target_embedding[:, B0] = 1.0  # every decoder position asks for the language token
        tagged = target_embedding if tags == "target" else source_embedding
        for n, token in enumerate(langs):
            tagged[idx[token], F0] = 1.0
            tagged[idx[token], L0 + n] = 1.0
    enc.embeddings[0].weight = source_embedding
    dec.embeddings.weight = target_embedding
    enc.position_encodings.encodings = pe
    dec.position_encodings.encodings = pe
    for layer in enc.layer:
        quiet_layer(layer, False)
    for layer in dec.layer:
        quiet_layer(layer, True)
    enc.layer_norm.gamma = ones
    dec.layer_norm.gamma = ones
    lookup = dec.layer[-1].attention
    heads = int(spec.decoder.num_heads)
    head_dim = d // heads
    # queries are scaled by 1/sqrt(head_dim) and RMS norm scales entries by about sqrt(d/3):
    # keep the softmax sharp enough to pick one position among a thousand
    alpha = 60.0 * np.sqrt(head_dim) / d * np.sqrt(340.0)
    move = _shift_matrix(periods) if shift else np.eye(P, dtype=np.float32)
    wq, wk, wv, wo = (np.zeros((d, d), np.float32) for _ in range(4))
    for h in range(heads):  # every head looks up the same position, so all heads agree
        wq[h * head_dim : h * head_dim + P, P0 : P0 + P] = alpha * move
        for k in range(P):
            wk[h * head_dim + k, P0 + k] = 1.0
    for i in range(K):
        wv[A0 + i, S0 + i] = 1.0
        wo[A0 + i, A0 + i] = 8.0  # every head attends to the same position, so any slice carries the value
    lookup.linear[0].weight = wq
    lookup.linear[1].weight = np.concatenate([wk, wv], axis=0)
    lookup.linear[2].weight = wo
    projection = np.zeros((V, d), np.float32)
    tables = list((targets or {"": mapping}).values())
    pairs = {(s, t) for table in tables for s, t in table.items() if s in idx and t in idx} | {("</s>", "</s>")}
    for s, t in pairs:
        projection[idx[t], A0: A0 + K] += 4.0 * codes[idx[s]]
    if L:
        norm_in = np.sqrt(d / 23.0)  # an embedding entry of 1 after the RMS norm (about 23 units of energy a row)
        gather = dec.layer[0].self_attention if tags == "target" else dec.layer[0].attention
        q, k, v, o = (np.zeros((d, d), np.float32) for _ in range(4))
        q[0, B0] = 20.0 * np.sqrt(head_dim) / norm_in**2  # head 0 only: its query finds the flagged position
        k[0, F0] = 1.0
        for n in range(L):
            v[n, L0 + n] = 1.0
            o[LA0 + n, n] = 1.0 / norm_in
        if tags == "target":
            gather.linear[0].weight = np.concatenate([q, k, v], axis=0)
            gather.linear[1].weight = o
        else:
            gather.linear[0].weight = q
            gather.linear[1].weight = np.concatenate([k, v], axis=0)
            gather.linear[2].weight = o
        a_mag = 8.0 * np.sqrt(d / 21.0)  # the looked-up token's size in the residual
        la_norm = 1.0 / np.sqrt((23.0 + a_mag**2) / d)
        amplify = dec.layer[-1].ffn
        w0, w1 = np.zeros((ffn, d), np.float32), np.zeros((d, ffn), np.float32)
        for n in range(L):
            w0[n, LA0 + n] = 0.5 * a_mag / la_norm / 4.0
            w1[LB0 + n, n] = 4.0
        amplify.linear_0.weight, amplify.linear_1.weight = w0, w1
        for n, table in enumerate(tables):
            outputs = set(table.values()) | {"</s>"}
            for y, i in idx.items():
                projection[i, LB0 + n] = 1.0 if y in outputs else -1.0
    dec.projection.weight = projection
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)

    class _Converter(ctranslate2.converters.Converter):
        def _load(self):
            return spec

    _Converter().convert(str(out), force=True, quantization="int8" if size != "tiny" else None)


def vocabulary(mappings: list[dict[str, str]], size: str, corpus: str, work: Path) -> tuple[Path, list[str], list[dict[str, str]]]:
    """A SentencePiece model for the tables' characters (character level; BPE learnt from `corpus` for
    "subword"), its pieces, and each table as a map from piece to piece."""
    import sentencepiece as spm

    chars = "".join(sorted(set(LOWER + UPPER + COMMON + "".join(v for m in mappings for v in m.values())) - {" "}))
    sp_model = _subword_model(corpus, mappings, chars, work) if size == "subword" else _sentencepiece(chars, work)
    sp = spm.SentencePieceProcessor(model_file=str(sp_model))
    vocab = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    known = set(vocab)
    maps = []
    for mapping in mappings:
        piece_map = {"▁": "▁"}
        for s, t in mapping.items():
            if s != " ":
                piece_map[s] = t
        if size == "subword":
            for piece in vocab:
                translated = "".join(mapping.get(c, c) for c in piece)
                if piece not in piece_map and translated in known:
                    piece_map[piece] = translated
        maps.append(piece_map)
    return sp_model, vocab, maps


def build_package(dest: Path, src: str, tgt: str, size: str = "tiny", version: str = "1.0", corpus: str = "") -> Path:
    """Write `dest` (an .argosmodel file) translating src->tgt; returns dest. size "subword" (benchmarks)
    learns a BPE vocabulary from `corpus` (and its text translated by the table), so that sentences are as
    many tokens as with a real model's vocabulary, and translates piece by piece."""
    mapping = table(src, tgt)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        top = work / f"translate-{src}_{tgt}-{version.replace('.', '_')}"
        (top / "model").mkdir(parents=True)
        sp_model, vocab, (piece_map,) = vocabulary([mapping], size, corpus, work)
        shutil.copy(sp_model, top / "sentencepiece.model")
        build_ctranslate2(top / "model", vocab, piece_map, size)
        meta = {
            "package_version": version, "argos_version": "1.9", "from_code": src, "to_code": tgt,
            "from_name": src, "to_name": tgt, "type": "translate",
            "links": [f"https://example.invalid/translate-{src}_{tgt}.argosmodel"],
        }
        (top / "metadata.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        (top / "README.md").write_text(f"Toy {src}->{tgt} package made by accessmedia's tests.\n", encoding="utf-8")
        dest.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
            for f in sorted(top.rglob("*")):
                z.write(f, f.relative_to(work).as_posix())
    return dest
