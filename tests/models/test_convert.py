"""Hub checkpoints converted to CTranslate2 without torch (accessmedia/models/convert.py), held to CTranslate2's own
converter: tiny random checkpoints of each family made with transformers (tests/data/mt/make_checkpoints.py), as
model.safetensors and as pytorch_model.bin, and what ct2-transformers-converter --quantization int8 made of them
(tests/data/mt/reference/). Installing them: `models add FOLDER` and `models install NAME` from a (local) hub."""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from accessmedia.core.errors import AccessMediaError
from accessmedia.models import catalog, checkpoint, convert
from accessmedia.models import translation as mt_models

from ..conftest import run_cli
from ..ct2_model_bin import read
from ..hubserver import write_catalogue

DATA = Path(__file__).resolve().parents[1] / "data" / "mt"
HF, REFERENCE = DATA / "hf", DATA / "reference"
FAMILIES = {"marian": "marian", "nllb": "nllb", "madlad": "madlad"}
# Computed, not read: M2M100's sinusoidal positions, whose float32 sines torch approximates (convert.py).
COMPUTED = {"nllb": ("decoder/position_encodings/encodings",)}
NC = "CC-BY-NC-4.0"


def copy_without(family: str, tmp_path: Path, *drop: str) -> Path:
    folder = tmp_path / f"{family}-checkpoint"
    shutil.copytree(HF / family, folder, ignore=shutil.ignore_patterns(*drop))
    return folder


def same_model(ours: Path, family: str) -> None:
    """Our model.bin holds the reference's variables, tensor by tensor, with the same aliases; config and
    vocabulary the same."""
    name, variables, aliases = read(ours / "model.bin")
    ref_name, ref_variables, ref_aliases = read(REFERENCE / family / "model.bin")
    assert name == ref_name and aliases == ref_aliases
    assert sorted(variables) == sorted(ref_variables)
    for key, ref in ref_variables.items():
        mine = variables[key]
        assert mine.dtype == ref.dtype and mine.shape == ref.shape, key
        if key in COMPUTED.get(family, ()):
            np.testing.assert_allclose(mine, ref, rtol=0, atol=1e-6, err_msg=key)
        else:
            assert np.array_equal(mine, ref), key
    for file in ("config.json", "shared_vocabulary.json"):
        assert json.loads((ours / file).read_text(encoding="utf-8")) == json.loads((REFERENCE / family / file).read_text(encoding="utf-8"))


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_each_family_converts_as_ctranslate2s_own_converter_does(family, tmp_path):
    import ctranslate2

    out = tmp_path / "converted"
    assert convert.convert(HF / family, out) == FAMILIES[family]
    same_model(out, family)
    tokenizer = {"marian": ["source.spm", "target.spm", "tokenizer_config.json"], "nllb": ["sentencepiece.bpe.model"],
                 "madlad": ["spiece.model"]}[family]
    assert all((out / f).read_bytes() == (HF / family / f).read_bytes() for f in tokenizer)
    translator = ctranslate2.Translator(str(out), device="cpu")
    for case in json.loads((REFERENCE / "translations.json").read_text(encoding="utf-8"))[family]:
        prefix = [[case["prefix"]]] if case["prefix"] else None
        result = translator.translate_batch([case["source"]], target_prefix=prefix, beam_size=2, max_decoding_length=12)
        assert result[0].hypotheses[0] == case["output"], case["source"]


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_a_pytorch_bin_converts_to_the_same_model_as_its_safetensors(family, tmp_path):
    """pytorch_model.bin (tied weights stored once per name, positions stored) through the restricted reader."""
    # without tokenizer.json too, except NLLB's: this tiny one was made by transformers 5, which numbers <mask>
    # before the language codes (NLLB's own put it last; the rebuilt ids follow those, tested below)
    drop = ("model.safetensors",) if family == "nllb" else ("model.safetensors", "tokenizer.json")
    folder = copy_without(family, tmp_path, *drop)
    out = tmp_path / "converted"
    convert.convert(folder, out)
    same_model(out, family)


def test_sharded_safetensors_and_bfloat16_weights(tmp_path):
    """A checkpoint in two safetensors shards with an index, one shard in bfloat16 (which NumPy cannot hold):
    read as float32, exactly the bfloat16 values."""
    from safetensors.numpy import load_file, save_file

    folder = copy_without("marian", tmp_path, "model.safetensors", "pytorch_model.bin")
    tensors = load_file(str(HF / "marian" / "model.safetensors"))
    names = sorted(tensors)
    first, second = names[: len(names) // 2], names[len(names) // 2:]
    save_file({n: tensors[n] for n in first}, str(folder / "model-00001-of-00002.safetensors"))
    bf16 = {n: _to_bfloat16_bits(tensors[n]) for n in second}
    _save_bfloat16(bf16, folder / "model-00002-of-00002.safetensors")
    index = {"weight_map": {**{n: "model-00001-of-00002.safetensors" for n in first},
                            **{n: "model-00002-of-00002.safetensors" for n in second}}}
    (folder / "model.safetensors.index.json").write_text(json.dumps(index), encoding="utf-8")
    weights = checkpoint.Weights(folder)
    for n in second[:5]:
        got = weights.get(n)
        assert got.dtype == np.float32 and got.shape == tensors[n].shape
        assert np.array_equal(got, (bf16[n].astype(np.uint32) << 16).view(np.float32))  # bit for bit
        assert np.allclose(got, tensors[n], rtol=1e-2, atol=1e-3)  # and close to the float32 it came from
    out = tmp_path / "converted"
    assert convert.convert(folder, out) == "marian"
    assert read(out / "model.bin")[1].keys() == read(REFERENCE / "marian" / "model.bin")[1].keys()


def _to_bfloat16_bits(array: np.ndarray) -> np.ndarray:
    return (array.astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)


def _save_bfloat16(tensors: dict[str, np.ndarray], path: Path) -> None:
    """A safetensors file written by hand (the format: a little-endian header length, a JSON header, the bytes)."""
    header, blobs, at = {}, [], 0
    for name, bits in tensors.items():
        raw = bits.astype("<u2").tobytes()
        header[name] = {"dtype": "BF16", "shape": list(bits.shape), "data_offsets": [at, at + len(raw)]}
        blobs.append(raw)
        at += len(raw)
    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def test_nllb_vocabulary_without_tokenizer_json_follows_the_fairseq_ids():
    """Without tokenizer.json, NLLB's ids are rebuilt as NllbTokenizer numbers them: <s> <pad> </s> <unk>, the
    SentencePiece pieces shifted by one, the language codes, <mask> last (as facebook/nllb-200-* have it)."""
    tokens = checkpoint._nllb_from_sentencepiece(HF / "nllb")
    fast = checkpoint.vocabulary(HF / "nllb", "m2m_100")
    assert tokens[:4] == ["<s>", "<pad>", "</s>", "<unk>"] and tokens[-1] == "<mask>"
    pieces = len(tokens) - 4 - 202 - 1
    assert tokens[4: 4 + pieces] == fast[4: 4 + pieces]  # the pieces at the ids the fast tokenizer gives them
    assert tokens[4 + pieces] == "ace_Arab" and "nob_Latn" in tokens and "som_Latn" in tokens and len(set(tokens)) == len(tokens)


def test_a_bad_checkpoint_is_refused_with_what_to_do(tmp_path):
    folder = copy_without("marian", tmp_path, "pytorch_model.bin")
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    (folder / "config.json").write_text(json.dumps({**config, "model_type": "llama"}), encoding="utf-8")
    with pytest.raises(AccessMediaError, match="a llama checkpoint; this tool converts OPUS-MT"):
        convert.convert(folder, tmp_path / "a")
    (folder / "config.json").write_text(json.dumps({**config, "encoder_layers": 3}), encoding="utf-8")
    with pytest.raises(AccessMediaError, match="has no tensor model.encoder.layers.2.self_attn.q_proj.weight"):
        convert.convert(folder, tmp_path / "b")
    assert not (tmp_path / "b").exists()
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    whole = (folder / "model.safetensors").read_bytes()
    (folder / "model.safetensors").write_bytes(whole[: len(whole) // 2])  # cut off in the middle
    with pytest.raises(AccessMediaError, match="download the model again"):
        convert.convert(folder, tmp_path / "c")
    (folder / "model.safetensors").unlink()
    (folder / "model.safetensors.index.json").write_text(json.dumps({"weight_map": {"x": "../../elsewhere.safetensors"}}))
    with pytest.raises(AccessMediaError, match="names '../../elsewhere.safetensors', which is not in"):
        checkpoint.Weights(folder)


def test_models_add_converts_a_hub_folder_and_records_it(tmp_path, monkeypatch):
    """`models add FOLDER` with a folder as the hub has it (for PyTorch): converted, checked, installed; the
    licence is asked for before the conversion; nothing is left behind by a refusal."""
    monkeypatch.setenv("ACCESSMEDIA_MODELS", str(tmp_path / "models"))
    added = run_cli("models", "add", str(HF / "marian"), "--name", "opus-mt-tiny-nb-en")
    assert added.exit_code == 0, added.output
    assert "converting marian (OPUS-MT) to CTranslate2 int8, without torch" in added.output
    model = mt_models.installed()["opus-mt-tiny-nb-en"]
    assert model.family == "marian" and model.directions == {("nb", "en")}
    manifest = json.loads((model.path / "accessmedia-model.json").read_text(encoding="utf-8"))
    assert manifest["converted"]["by"] == "accessmedia" and manifest["converted"]["quantization"] == "int8"
    same_model(model.path, "marian")
    refused = run_cli("models", "add", str(HF / "nllb"), "--name", "nllb-tiny")
    assert refused.exit_code == 1 and "--accept-licence CC-BY-NC-4.0" in refused.output and "converting" not in refused.output
    assert sorted(p.name for p in (tmp_path / "models" / "translate").iterdir()) == ["opus-mt-tiny-nb-en"]
    added = run_cli("models", "add", str(HF / "nllb"), "--name", "nllb-tiny", "--accept-licence", NC)
    assert added.exit_code == 0, added.output
    assert {("nb", "so"), ("so", "ti")} <= mt_models.installed()["nllb-tiny"].directions


def fake_hub(monkeypatch, repo: str, folder: Path, seen: list) -> None:
    """huggingface_hub.snapshot_download answering from a local folder, as the hub would: the files matching the
    patterns, at the revision asked for."""
    import fnmatch

    import huggingface_hub

    def download(repo_id, allow_patterns, local_dir, revision=None):
        assert repo_id == repo
        seen.append((revision, sorted(allow_patterns)))
        Path(local_dir).mkdir(parents=True, exist_ok=True)
        for f in folder.iterdir():
            if any(fnmatch.fnmatch(f.name, p) for p in allow_patterns):
                shutil.copy(f, Path(local_dir) / f.name)
        return str(local_dir)

    monkeypatch.setattr(huggingface_hub, "snapshot_download", download)


def test_models_install_downloads_checks_and_converts_a_checkpoint_entry(tmp_path, monkeypatch):
    """A catalogue entry with format = "checkpoint": one copy of the weights downloaded (safetensors preferred),
    each file the entry lists checked (size, SHA256) before anything is converted, the result installed."""
    monkeypatch.setenv("ACCESSMEDIA_MODELS", str(tmp_path / "models"))
    toml = write_catalogue(tmp_path / "catalog.toml", HF / "marian", "Helsinki-NLP/opus-mt-tiny", "0123456789abcdef0123456789abcdef01234567")
    monkeypatch.setattr(catalog, "catalog_path", lambda: toml)
    seen: list = []
    fake_hub(monkeypatch, "Helsinki-NLP/opus-mt-tiny", HF / "marian", seen)
    result = run_cli("models", "install", "opus-mt-tiny")
    assert result.exit_code == 0, result.output
    assert seen[0][0] == "0123456789abcdef0123456789abcdef01234567"
    assert "model.safetensors" in seen[0][1] and "pytorch_model.bin" not in seen[0][1]
    model = mt_models.installed()["opus-mt-tiny"]
    assert model.source == "hf:Helsinki-NLP/opus-mt-tiny" and model.directions == {("nb", "en")}
    same_model(model.path, "marian")
    listed = run_cli("models", "list")
    assert "opus-mt-tiny" in listed.output and "unconfirmed" not in listed.output.split("opus-mt-tiny")[1].splitlines()[0]
    # a repository that changed under its name: refused before conversion, the installed model kept
    changed = tmp_path / "changed"
    shutil.copytree(HF / "marian", changed)
    (changed / "vocab.json").write_text((changed / "vocab.json").read_text(encoding="utf-8").replace('"</s>": 0', '"</s>":0'), encoding="utf-8")
    fake_hub(monkeypatch, "Helsinki-NLP/opus-mt-tiny", changed, seen)
    before = (model.path / "model.bin").read_bytes()
    refused = run_cli("models", "install", "opus-mt-tiny")
    assert refused.exit_code == 1 and "vocab.json does not have the SHA256 the hub's page publishes" in refused.output
    assert (model.path / "model.bin").read_bytes() == before
    assert not [p for p in (tmp_path / "models" / "translate").iterdir() if p.name.startswith(".")]


def test_the_catalogue_lists_checked_files_for_its_checkpoints_and_says_what_is_unconfirmed():
    entries = catalog.catalog()
    for name in ("opus-mt-tc-big-gmq-en", "opus-mt-tc-big-gmq-ar", "opus-mt-tc-big-gmq-zle", "opus-mt-tc-big-gmq-zlw", "nllb-200-3.3B",
                 "madlad400-3b"):
        entry = entries[name]
        assert entry.format == "checkpoint" and entry.checked.startswith("https://huggingface.co/") and len(entry.revision) == 40
        paths = [p for p, _, _ in entry.files]
        assert "config.json" in paths and any(p.endswith((".bin", ".safetensors")) for p in paths)
        assert entry.chrf or name == "madlad400-3b", name  # no MADLAD-400 figure from Norwegian is published
    listed = run_cli("models", "list")
    assert listed.exit_code == 0
    lines = {line.split()[0]: line for line in listed.output.splitlines() if line and not line.startswith(" ")}
    assert "unconfirmed" in lines["opus-mt-en-ti"] and "unconfirmed" not in lines["opus-mt-tc-big-gmq-en"]
    assert "converted on install" in lines["nllb-200-3.3B"]


def test_a_float16_checkpoint_keeps_float16_where_transformers_would(tmp_path):
    """Helsinki-NLP publishes tc-big in float16: transformers loads it so, and the tables it computes (positions)
    are float16 too; CTranslate2's converter keeps them so, and so does this one (bench/convert.py compares a
    tc-big-sized float16 checkpoint with the peer: identical model.bin)."""
    from safetensors.numpy import load_file, save_file

    folder = copy_without("marian", tmp_path, "model.safetensors", "pytorch_model.bin")
    save_file({k: v.astype(np.float16) for k, v in load_file(str(HF / "marian" / "model.safetensors")).items()},
              str(folder / "model.safetensors"))
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    (folder / "config.json").write_text(json.dumps({**config, "dtype": "float16"}), encoding="utf-8")
    convert.convert(folder, tmp_path / "out")
    _, variables, _ = read(tmp_path / "out" / "model.bin")
    assert variables["decoder/position_encodings/encodings"].dtype == np.float16
    assert variables["decoder/layer_0/ffn/linear_0/weight"].dtype == np.int8  # quantized, as the reference's are
