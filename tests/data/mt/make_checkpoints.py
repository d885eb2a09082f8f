"""How tests/data/mt/hf/ and tests/data/mt/reference/ were made (once, in a throwaway environment:
pip install torch transformers sentencepiece protobuf safetensors ctranslate2; never a dependency of accessmedia).

hf/<family>/ is a tiny random checkpoint of each family as the hub publishes them: config.json, the weights as
model.safetensors and as a PyTorch pytorch_model.bin (the same tensors), and the tokenizer's files, saved by
transformers. Two layers each (so that layer loops are exercised), a vocabulary of a few hundred pieces
learnt from the king's speech; the NLLB one carries all 202 language codes, as facebook/nllb-200-* do.

reference/<family>/ is what CTranslate2's own converter (TransformersConverter, as `ct2-transformers-converter
--quantization int8` runs it) makes of hf/<family>/: the model accessmedia's converter must equal tensor by
tensor. reference/translations.json holds, per family, the source tokens of a few sentences (made by the
family's Hugging Face tokenizer) and what the reference model translates them into (beam 2): accessmedia's
conversion must translate them the same. The weights are random: the outputs mean nothing; the files,
names, shapes, tied weights and token conventions are the real ones.

Run: python make_checkpoints.py (writes hf/ and reference/ beside this file).
"""

import json
import shutil
from pathlib import Path

import ctranslate2
import sentencepiece as spm
import torch
from ctranslate2.converters import TransformersConverter
from transformers import (AutoTokenizer, M2M100Config, M2M100ForConditionalGeneration, MarianConfig, MarianMTModel,
                          MarianTokenizer, T5Config, T5ForConditionalGeneration)

HERE = Path(__file__).resolve().parent
HF, REF = HERE / "hf", HERE / "reference"
WORK = HERE / "made-checkpoints"
SENTENCES = ["Kjære alle sammen.", "Det er godt å se dere her i dag.", "Vi skal snakke om integrering i Norge."]
for d in (HF, REF, WORK):
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir()
(WORK / "corpus.txt").write_text(open(HERE.parents[2].parent / "shared" / "eval" / "king.ref.txt").read())


def sp(prefix, extra=(), **kw):
    spm.SentencePieceTrainer.train(input=str(WORK / "corpus.txt"), model_prefix=str(WORK / prefix), vocab_size=300,
                                   model_type="bpe", user_defined_symbols=list(extra), minloglevel=2,
                                   normalization_rule_name="identity", **kw)
    return WORK / f"{prefix}.model"


def small(**kw):
    return dict(d_model=16, encoder_layers=2, decoder_layers=2, encoder_attention_heads=2, decoder_attention_heads=2,
                encoder_ffn_dim=32, decoder_ffn_dim=32, max_position_embeddings=64, **kw)


def save(model, folder):
    torch.manual_seed(0)
    model.save_pretrained(folder)  # model.safetensors
    torch.save(model.state_dict(), folder / "pytorch_model.bin")  # the same tensors, as older hub repositories hold them


def reference(family, folder, copy_files, sources, prefixes=None):
    out = REF / family
    TransformersConverter(str(folder), copy_files=copy_files).convert(str(out), quantization="int8", force=True)
    translator = ctranslate2.Translator(str(out), device="cpu")
    results = translator.translate_batch(sources, target_prefix=prefixes, beam_size=2, max_decoding_length=12)
    return [{"source": s, "prefix": p[0] if p else None, "output": r.hypotheses[0]}
            for s, p, r in zip(sources, prefixes or [None] * len(sources), results)]


translations = {}

# OPUS-MT (Marian): one pair, nb -> en; embeddings shared by the encoder, the decoder and the output layer
torch.manual_seed(1)
m = sp("marian")
p = spm.SentencePieceProcessor(model_file=str(m))
vocab = {"</s>": 0, "<unk>": 1}
for i in range(p.get_piece_size()):
    vocab.setdefault(p.id_to_piece(i), len(vocab))
vocab["<pad>"] = len(vocab)
d = HF / "marian"
d.mkdir()
shutil.copy(m, d / "source.spm")
shutil.copy(m, d / "target.spm")
(d / "vocab.json").write_text(json.dumps(vocab))
tok = MarianTokenizer(str(d / "source.spm"), str(d / "target.spm"), str(d / "vocab.json"), source_lang="nb", target_lang="en")
tok.save_pretrained(d)
model = MarianMTModel(MarianConfig(vocab_size=len(vocab), pad_token_id=vocab["<pad>"], eos_token_id=0,
                                   decoder_start_token_id=vocab["<pad>"], **small()))
save(model, d)
sources = [tok.convert_ids_to_tokens(tok(s).input_ids) for s in SENTENCES]
translations["marian"] = reference("marian", d, ["source.spm", "target.spm", "tokenizer_config.json"], sources)

# NLLB-200 (M2M100): pre-norm, sinusoidal positions from offset 2, scaled embeddings, 202 language codes
torch.manual_seed(2)
n = sp("nllb")
d = HF / "nllb"
d.mkdir()
shutil.copy(n, d / "sentencepiece.bpe.model")
(d / "tokenizer_config.json").write_text('{"tokenizer_class": "NllbTokenizer", "src_lang": "nob_Latn", "tgt_lang": "som_Latn", "legacy_behaviour": false}')
from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES  # noqa: E402

tok = AutoTokenizer.from_pretrained(str(d), additional_special_tokens=list(FAIRSEQ_LANGUAGE_CODES), src_lang="nob_Latn", tgt_lang="som_Latn")
tok.save_pretrained(d)
model = M2M100ForConditionalGeneration(M2M100Config(vocab_size=len(tok), pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id,
                                                    decoder_start_token_id=tok.eos_token_id, scale_embedding=True, **small()))
save(model, d)
sources = [tok.convert_ids_to_tokens(tok(s).input_ids) for s in SENTENCES]
translations["nllb"] = reference("nllb", d, ["sentencepiece.bpe.model"], sources, [["som_Latn"]] * len(sources))

# MADLAD-400 (T5): gated GELU, RMS norms, relative attention bias in the first layer, untied output layer
torch.manual_seed(3)
t = sp("madlad", extra=["<2so>", "<2ti>", "<2en>", "<2no>"], pad_id=0, eos_id=1, unk_id=2, bos_id=-1)
d = HF / "madlad"
d.mkdir()
shutil.copy(t, d / "spiece.model")
(d / "tokenizer_config.json").write_text('{"tokenizer_class": "T5Tokenizer", "extra_ids": 0, "legacy": false}')
tok = AutoTokenizer.from_pretrained(str(d))
tok.save_pretrained(d)
model = T5ForConditionalGeneration(T5Config(vocab_size=len(tok) + 4, d_model=16, d_kv=8, d_ff=32, num_layers=2, num_decoder_layers=2,
                                            num_heads=2, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
                                            feed_forward_proj="gated-gelu", tie_word_embeddings=False))
save(model, d)
sources = [tok.convert_ids_to_tokens(tok("<2so> " + s).input_ids) for s in SENTENCES]
translations["madlad"] = reference("madlad", d, ["spiece.model"], sources)

(REF / "translations.json").write_text(json.dumps(translations, ensure_ascii=False, indent=1) + "\n")
shutil.rmtree(WORK)
for folder in sorted(HF.iterdir()) + sorted(p for p in REF.iterdir() if p.is_dir()):
    print(folder.relative_to(HERE), sorted(f.name for f in folder.iterdir()), sum(f.stat().st_size for f in folder.iterdir()))
