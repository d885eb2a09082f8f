"""Small, real Argos Translate packages, made at test time.

Argos models cannot be downloaded here, so tests and benchmarks build their
own: a real SentencePiece model (character level, trained on the spot) and a
real CTranslate2 Transformer whose weights are set by hand so that it
translates character by character through a fixed table. The package is a
zip with metadata.json, model/ and sentencepiece.model, exactly as Argos
publishes them, so every line of loading, tokenising, batching and decoding
is the real thing, and outputs are predictable:

  nb->en: upper case            ("hei på deg." -> "HEI PÅ DEG.")
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
COMMON = " .,!?;:-'\"()0123456789%"


def table(src: str, tgt: str) -> dict[str, str]:
    """Character table of the toy model for one language pair."""
    if (src, tgt) == ("nb", "en"):
        return {c: c.upper() for c in LOWER + UPPER + COMMON}
    if src == "en" and tgt in ("ar", "fa", "ur"):
        t = {c: c for c in COMMON}
        t.update({"?": "؟", ",": "،"})
        for latin, arabic in zip(UPPER, ARABIC):
            t[latin] = t[latin.lower()] = arabic
        return t
    if (src, tgt) == ("en", "uk"):
        t = {c: c for c in COMMON}
        for latin, cyr in zip(UPPER, CYRILLIC):
            t[latin] = t[latin.lower()] = cyr
        return t
    if (src, tgt) == ("en", "pl"):
        return {c: c.lower() for c in LOWER + UPPER + COMMON}
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


def _subword_model(corpus: str, mapping: dict[str, str], chars: str, workdir: Path, vocab_size: int = 4000) -> Path:
    """A BPE SentencePiece model learnt from `corpus` and its translation by the table (so both sides'
    pieces are in the vocabulary), every character of the table kept."""
    import sentencepiece as spm

    text = corpus.strip() or chars
    translated = "".join(mapping.get(c, c) for c in text)
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


def build_ctranslate2(out: Path, vocab: list[str], mapping: dict[str, str], size: str = "tiny", max_len: int = 1024) -> None:
    """size "tiny" and "realistic" code each token as a one-hot block (exact); "subword" (a vocabulary of
    thousands of pieces in Argos' 512 dimensions) codes each as a random unit vector of 128 numbers, nearly
    orthogonal to every other, so the lookup still finds the right piece."""
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
    S0, P0, A0, T0 = 0, K, K + P, 2 * K + P  # blocks: source token, position, looked-up source token, target token
    layers, d, ffn = (6, max(512, 3 * K + P), 2048) if size in ("realistic", "subword") else (1, 3 * K + P, 4)
    pe = np.zeros((max_len, d), np.float32)
    pe[:, P0 : P0 + P] = _position_codes(max_len, periods)
    spec = transformer_spec.TransformerSpec.from_config(layers, 8 if size != "tiny" and d % 8 == 0 else 1, pre_norm=True, rms_norm=True)
    spec.config.add_source_eos = True  # the decoder finds </s> at the source's end and stops
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

    enc.embeddings[0].weight = one_hot(S0)
    dec.embeddings.weight = one_hot(T0)
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
    wq, wk, wv, wo = (np.zeros((d, d), np.float32) for _ in range(4))
    for h in range(heads):  # every head looks up the same position, so all heads agree
        for k in range(P):
            wq[h * head_dim + k, P0 + k] = alpha
            wk[h * head_dim + k, P0 + k] = 1.0
    for i in range(K):
        wv[A0 + i, S0 + i] = 1.0
        wo[A0 + i, A0 + i] = 8.0  # every head attends to the same position, so any slice carries the value
    lookup.linear[0].weight = wq
    lookup.linear[1].weight = np.concatenate([wk, wv], axis=0)
    lookup.linear[2].weight = wo
    projection = np.zeros((V, d), np.float32)
    for s, t in mapping.items():
        if s in idx and t in idx:
            projection[idx[t], A0: A0 + K] += 4.0 * codes[idx[s]]
    projection[idx["</s>"], A0: A0 + K] += 4.0 * codes[idx["</s>"]]
    dec.projection.weight = projection
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)

    class _Converter(ctranslate2.converters.Converter):
        def _load(self):
            return spec

    _Converter().convert(str(out), force=True, quantization="int8" if size != "tiny" else None)


def build_package(dest: Path, src: str, tgt: str, size: str = "tiny", version: str = "1.0", corpus: str = "") -> Path:
    """Write `dest` (an .argosmodel file) translating src->tgt; returns dest. size "subword" (benchmarks)
    learns a BPE vocabulary from `corpus` (and its text translated by the table), so that sentences are as
    many tokens as with a real model's vocabulary, and translates piece by piece."""
    import sentencepiece as spm

    mapping = table(src, tgt)
    chars = "".join(sorted(set(LOWER + UPPER + COMMON + "".join(mapping.values())) - {" "}))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        top = work / f"translate-{src}_{tgt}-{version.replace('.', '_')}"
        (top / "model").mkdir(parents=True)
        sp_model = _subword_model(corpus, mapping, chars, work) if size == "subword" else _sentencepiece(chars, work)
        shutil.copy(sp_model, top / "sentencepiece.model")
        sp = spm.SentencePieceProcessor(model_file=str(sp_model))
        vocab = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
        piece_map = {"▁": "▁"}
        for s, t in mapping.items():
            if s != " ":
                piece_map[s] = t
        if size == "subword":
            known = set(vocab)
            for piece in vocab:
                translated = "".join(mapping.get(c, c) for c in piece)
                if piece not in piece_map and translated in known:
                    piece_map[piece] = translated
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
