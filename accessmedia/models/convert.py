"""Convert a Hugging Face translation checkpoint to a CTranslate2 model, without torch or transformers.

The hub publishes the best OPUS-MT models (tc-big), NLLB-200 3.3B and MADLAD-400 for PyTorch only. CTranslate2's
own converter (ct2-transformers-converter) needs transformers and torch; this one reads the same weights with
NumPy (checkpoint.py) and sets them on the same `ctranslate2.specs` in the same way as CTranslate2's loaders for
MarianConfig (OPUS-MT), M2M100Config (NLLB-200) and T5Config/MT5Config (MADLAD-400), then lets CTranslate2
validate, quantize (int8 by default) and save the model. tests/models/test_convert.py holds it to the reference
converter's output, tensor by tensor, on tiny checkpoints of each family (tests/data/mt/make_checkpoints.py).

What transformers computes rather than stores (the sinusoidal position tables of Marian and M2M100) is computed
here as transformers does; only M2M100's float32 sines and cosines, which torch computes with a vectorised
approximation, differ (by 1.5e-5 at most at position 1,000; here they are correctly rounded).
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np

from accessmedia.core.errors import AccessMediaError
from accessmedia.models.checkpoint import Weights, read_json, special_tokens, vocabulary

FAMILY = {"marian": "marian", "m2m_100": "nllb", "t5": "madlad", "mt5": "madlad"}
TOKENIZER_FILES = ("source.spm", "target.spm", "tokenizer_config.json", "sentencepiece.bpe.model", "spiece.model",
                   "sentencepiece.model")
_ACTIVATIONS = {"gelu": "GELU", "gelu_python": "GELU", "gelu_fast": "GELUTanh", "gelu_new": "GELUTanh",
                "gelu_pytorch_tanh": "GELUTanh", "quick_gelu": "GELUSigmoid", "relu": "RELU", "silu": "SWISH", "swish": "SWISH"}


def model_type(folder: Path) -> str:
    config = read_json(folder / "config.json")
    kind = config.get("model_type")
    if kind not in FAMILY:
        raise AccessMediaError(f"{folder}: a {kind or 'unknown'} checkpoint; this tool converts OPUS-MT (marian), "
                               "NLLB-200 (m2m_100) and MADLAD-400 (t5)", "download a CTranslate2 copy of the model instead")
    return kind


def convert(folder: Path, output: Path, quantization: str = "int8") -> str:
    """Convert the checkpoint in `folder` into a new folder `output` (model.bin, config.json, the vocabulary and
    the tokenizer's files); returns the family (marian, nllb, madlad). `output` must not exist."""
    from ctranslate2.converters.converter import Converter

    kind = model_type(folder)
    config = read_json(folder / "config.json")
    weights = Weights(folder)
    tokens = vocabulary(folder, kind)
    specials = special_tokens(folder)

    class _FromNumpy(Converter):
        def _load(self):
            spec = _t5(weights, config) if FAMILY[kind] == "madlad" else _bart(weights, config, kind)
            _set_vocabulary(spec, kind, config, tokens, specials)
            return spec

    try:
        _FromNumpy().convert(str(output), quantization=quantization)
    except (ValueError, TypeError) as exc:  # the specs' validation: a shape or a value that does not fit
        shutil.rmtree(output, ignore_errors=True)
        raise AccessMediaError(f"{folder}: the checkpoint does not fit its configuration ({exc})", "download the model again") from None
    for name in TOKENIZER_FILES:
        if (folder / name).is_file():
            shutil.copy2(folder / name, output / name)
    return FAMILY[kind]


# -- OPUS-MT (Marian) and NLLB-200 (M2M100): CTranslate2's BartLoader, MarianMTLoader and M2M100Loader ------

def _bart(w: Weights, config: dict, kind: str):
    from ctranslate2.specs import common_spec, transformer_spec

    marian = kind == "marian"
    if marian and not config.get("share_encoder_decoder_embeddings", True):
        raise AccessMediaError("this OPUS-MT model has separate source and target vocabularies, which CTranslate2's "
                               "converter does not convert either", "use another OPUS-MT model")
    layers = (int(config["encoder_layers"]), int(config["decoder_layers"]))
    spec = transformer_spec.TransformerSpec.from_config(
        layers, int(config["encoder_attention_heads"]), pre_norm=not marian,
        activation=_activation(config.get("activation_function", "relu")), layernorm_embedding=False)
    shared = w.get("model.shared.weight", "model.encoder.embed_tokens.weight")
    scale = math.sqrt(config["d_model"]) if config.get("scale_embedding", False) else 1.0
    for side, stack in (("encoder", spec.encoder), ("decoder", spec.decoder)):
        prefix = f"model.{side}."
        stack.scale_embeddings = scale
        table = _marian_positions(w, prefix, config) if marian else _m2m100_positions(config)
        stack.position_encodings.encodings = table.astype(_dtype(config), copy=False)
        embeddings = stack.embeddings[0] if isinstance(stack.embeddings, list) else stack.embeddings
        embeddings.weight = w.get(prefix + "embed_tokens.weight") if prefix + "embed_tokens.weight" in w else shared
        if f"{prefix}layer_norm.weight" in w:
            _norm(stack.layer_norm, w, f"{prefix}layer_norm")
        for i, layer in enumerate(stack.layer):
            p = f"{prefix}layers.{i}."
            _attention(layer.self_attention, w, p + "self_attn", fused=True)
            _norm(layer.self_attention.layer_norm, w, p + "self_attn_layer_norm")
            if side == "decoder":
                _attention(layer.attention, w, p + "encoder_attn", fused=False)
                _norm(layer.attention.layer_norm, w, p + "encoder_attn_layer_norm")
            _linear(layer.ffn.linear_0, w, p + "fc1")
            _linear(layer.ffn.linear_1, w, p + "fc2")
            _norm(layer.ffn.layer_norm, w, p + "final_layer_norm")
    spec.decoder.projection.weight = w.get("lm_head.weight") if "lm_head.weight" in w else shared
    if "final_logits_bias" in w:
        bias = w.get("final_logits_bias")
        if np.count_nonzero(bias):
            spec.decoder.projection.bias = bias.squeeze()
    if marian:
        spec.decoder.start_from_zero_embedding = True
        _remove_pad_weights(spec, common_spec)
    return spec


def _dtype(config: dict) -> str:
    """The dtype transformers loads the model in (the config's), which computed tables take too; bfloat16, which
    NumPy lacks, is read as float32 (checkpoint.py)."""
    dtype = str(config.get("dtype") or config.get("torch_dtype") or "float32")
    return dtype if dtype in ("float16", "float32") else "float32"


def _activation(name: str):
    from ctranslate2.specs import common_spec

    if name not in _ACTIVATIONS:
        raise AccessMediaError(f"activation {name!r} is not one CTranslate2 runs", "use another model")
    return getattr(common_spec.Activation, _ACTIVATIONS[name])


def _marian_positions(w: Weights, prefix: str, config: dict) -> np.ndarray:
    """MarianSinusoidalPositionalEmbedding: sines in the first half, cosines in the second (computed by
    transformers in float64, as here; older checkpoints also store the table)."""
    if prefix + "embed_positions.weight" in w:
        return w.get(prefix + "embed_positions.weight")
    n, dim = int(config["max_position_embeddings"]), int(config["d_model"])
    angles = np.array([[pos / np.power(10000, 2 * (j // 2) / dim) for j in range(dim)] for pos in range(n)])
    table = np.empty((n, dim), dtype=np.float32)
    half = dim // 2 + dim % 2
    table[:, :half] = np.sin(angles[:, 0::2])
    table[:, half:] = np.cos(angles[:, 1::2])
    return table


def _m2m100_positions(config: dict) -> np.ndarray:
    """M2M100SinusoidalPositionalEmbedding (fairseq's), from its offset of 2 on, as CTranslate2 takes it. The
    frequencies and angles are made as torch makes them in float32 (bit for bit); the sines and cosines are
    correctly rounded, where torch's float32 ones are off by up to 1.5e-5 at position 1,000."""
    n, dim = int(config["max_position_embeddings"]) + 2, int(config["d_model"])
    half = dim // 2
    exponents = np.arange(half, dtype=np.float32) * np.float32(-(math.log(10000) / (half - 1)))
    frequencies = np.exp(exponents.astype(np.float64)).astype(np.float32)
    angles = (np.arange(n, dtype=np.float32)[:, None] * frequencies[None, :]).astype(np.float64)
    table = np.concatenate([np.sin(angles), np.cos(angles)], axis=1)
    if dim % 2:
        table = np.concatenate([table, np.zeros((n, 1))], axis=1)
    return table[2:].astype(np.float32)


def _remove_pad_weights(spec, common_spec) -> None:
    """MarianMTLoader: transformers adds <pad> as the last token; CTranslate2 starts the decoder from a zero
    embedding instead, so its row goes (the vocabulary loses it too)."""
    parts = [spec.encoder.embeddings[0], spec.decoder.embeddings, spec.decoder.projection]
    size = parts[0].weight.shape[0] - 1
    for part in parts:
        if part.weight.shape[0] == size + 1:
            part.weight = part.weight[:-1]
        if isinstance(part, common_spec.LinearSpec) and part.has_bias() and part.bias.shape[0] == size + 1:
            part.bias = part.bias[:-1]


def _attention(spec, w: Weights, prefix: str, fused: bool) -> None:
    q, k, v = (_pair(w, f"{prefix}.{n}_proj") for n in ("q", "k", "v"))
    if fused:
        _fuse(spec.linear[0], [q, k, v])
    else:
        _fuse(spec.linear[0], [q])
        _fuse(spec.linear[1], [k, v])
    _linear(spec.linear[-1], w, prefix + ".out_proj")


def _pair(w: Weights, prefix: str) -> tuple[np.ndarray, np.ndarray | None]:
    return w.get(prefix + ".weight"), (w.get(prefix + ".bias") if prefix + ".bias" in w else None)


def _fuse(spec, parts: list[tuple[np.ndarray, np.ndarray | None]]) -> None:
    """CTranslate2's own ctranslate2.converters.utils.fuse_linear: weights stacked, biases stacked (zeros for a part
    without)."""
    from ctranslate2.converters import utils
    from ctranslate2.specs import common_spec

    layers = []
    for weight, bias in parts:
        layer = common_spec.LinearSpec()
        layer.weight = weight
        if bias is not None:
            layer.bias = bias
        layers.append(layer)
    utils.fuse_linear(spec, layers)


def _linear(spec, w: Weights, prefix: str) -> None:
    spec.weight, bias = _pair(w, prefix)
    if bias is not None:
        spec.bias = bias


def _norm(spec, w: Weights, prefix: str) -> None:
    spec.gamma = w.get(prefix + ".weight")
    if prefix + ".bias" in w:
        spec.beta = w.get(prefix + ".bias")


# -- MADLAD-400 (T5, mT5): CTranslate2's T5Loader -----------------------------------------------------------

def _t5(w: Weights, config: dict):
    from ctranslate2.specs import transformer_spec

    gated = config.get("is_gated_act")
    act = config.get("dense_act_fn")
    if gated is None or act is None:  # older configs say only feed_forward_proj: "relu" or "gated-gelu"
        proj = str(config.get("feed_forward_proj", "relu"))
        gated, act = proj.startswith("gated-"), proj.split("-")[-1]
        act = "gelu_new" if act == "gelu" else act
    layers = int(config["num_layers"])
    spec = transformer_spec.TransformerSpec.from_config(
        (layers, int(config.get("num_decoder_layers") or layers)), int(config["num_heads"]), pre_norm=True,
        activation=_activation(act), ffn_glu=bool(gated), relative_attention_bias=True, rms_norm=True)
    shared = w.get("shared.weight", "encoder.embed_tokens.weight")
    for side, stack in (("encoder", spec.encoder), ("decoder", spec.decoder)):
        prefix = f"{side}."
        stack.layer_norm.gamma = w.get(prefix + "final_layer_norm.weight")
        embeddings = stack.embeddings[0] if isinstance(stack.embeddings, list) else stack.embeddings
        embeddings.weight = w.get(prefix + "embed_tokens.weight") if prefix + "embed_tokens.weight" in w else shared
        stack.scale_embeddings = False
        for i, layer in enumerate(stack.layer):
            p = f"{prefix}block.{i}.layer."
            _t5_attention(layer.self_attention, w, p + "0.SelfAttention", True, config)
            layer.self_attention.layer_norm.gamma = w.get(p + "0.layer_norm.weight")
            if i > 0:  # the first layer's relative attention bias serves every layer
                first = stack.layer[0].self_attention
                layer.self_attention.relative_attention_bias = first.relative_attention_bias
                layer.self_attention.relative_attention_max_distance = first.relative_attention_max_distance
            if side == "decoder":
                _t5_attention(layer.attention, w, p + "1.EncDecAttention", False, config)
                layer.attention.layer_norm.gamma = w.get(p + "1.layer_norm.weight")
            last = f"{p}{2 if side == 'decoder' else 1}."
            if hasattr(layer.ffn, "linear_0_noact"):
                layer.ffn.linear_0.weight = w.get(last + "DenseReluDense.wi_0.weight")
                layer.ffn.linear_0_noact.weight = w.get(last + "DenseReluDense.wi_1.weight")
            else:
                layer.ffn.linear_0.weight = w.get(last + "DenseReluDense.wi.weight")
            layer.ffn.linear_1.weight = w.get(last + "DenseReluDense.wo.weight")
            layer.ffn.layer_norm.gamma = w.get(last + "layer_norm.weight")
    spec.decoder.projection.weight = w.get("lm_head.weight") if "lm_head.weight" in w else shared
    if config.get("tie_word_embeddings", True):
        spec.decoder.scale_outputs = config["d_model"] ** -0.5
    return spec


def _t5_attention(spec, w: Weights, prefix: str, self_attention: bool, config: dict) -> None:
    spec.queries_scale = 1.0
    q, k, v = ((w.get(f"{prefix}.{n}.weight"), None) for n in ("q", "k", "v"))
    if self_attention:
        _fuse(spec.linear[0], [q, k, v])
    else:
        _fuse(spec.linear[0], [q])
        _fuse(spec.linear[1], [k, v])
    spec.linear[-1].weight = w.get(prefix + ".o.weight")
    if prefix + ".relative_attention_bias.weight" in w:
        spec.relative_attention_bias = w.get(prefix + ".relative_attention_bias.weight")
        spec.relative_attention_max_distance = np.dtype("int32").type(config.get("relative_attention_max_distance", 128))


# -- vocabulary and special tokens ----------------------------------------------------------------------------

def _set_vocabulary(spec, kind: str, config: dict, tokens: list[str], specials: dict[str, str]) -> None:
    size = int(config["vocab_size"])
    eos, unk = specials.get("eos_token", "</s>"), specials.get("unk_token", "<unk>")
    tokens = list(tokens)
    if kind == "marian":
        tokens = tokens[:size]
        if tokens[-1] == "<pad>":
            tokens.pop()
        spec.config.eos_token, spec.config.unk_token, spec.config.decoder_start_token = eos, unk, eos
    elif kind == "m2m_100":
        tokens = tokens[:size]
        if tokens[-1] == unk and unk in tokens[:-1]:  # CTranslate2 issue 1039
            tokens.insert(tokens.index(unk), tokens.pop())
        tokens += [f"madeupword{i}" for i in range(size - len(tokens))]
        spec.config.bos_token, spec.config.eos_token, spec.config.unk_token = specials.get("bos_token", "<s>"), eos, unk
        spec.config.decoder_start_token = tokens[int(config.get("decoder_start_token_id", 2))]
    else:
        tokens += [f"<extra_id_{i}>" for i in range(size - len(tokens))]
        pad = specials.get("pad_token", "<pad>")
        spec.config.bos_token, spec.config.eos_token, spec.config.unk_token = pad, eos, unk
        start = config.get("decoder_start_token_id")
        spec.config.decoder_start_token = tokens[int(start)] if start is not None else pad
    spec.register_source_vocabulary(tokens)
    spec.register_target_vocabulary(tokens)
