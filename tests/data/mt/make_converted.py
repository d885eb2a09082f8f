"""How tests/data/mt/ was made (once, in a throwaway environment: pip install torch transformers sentencepiece
ctranslate2 protobuf; never a dependency of accessmedia): tiny random models of each family built with
transformers, their tokenizers from SentencePiece models trained on the king's speech, converted by
CTranslate2's own converter (ct2-transformers-converter's TransformersConverter), as the hubs' CTranslate2
copies are made. tokens.json is what each family's Hugging Face tokenizer makes of one sentence, which
accessmedia's own tokens must match. The weights are random: the outputs mean nothing; the files, the
vocabularies and the token conventions are the real ones.

Run: python make_converted.py, then copy made/{opus-mt-nb-mul,nllb,madlad,tokens.json} here.
"""

import json, shutil
from pathlib import Path
import sentencepiece as spm, torch
from transformers import (AutoTokenizer, MarianConfig, MarianMTModel, MarianTokenizer, M2M100Config, M2M100ForConditionalGeneration,
                          T5Config, T5ForConditionalGeneration)
from ctranslate2.converters import TransformersConverter
torch.manual_seed(0)
W = Path(__file__).resolve().parent / "made"; shutil.rmtree(W, ignore_errors=True); W.mkdir()
(W / "corpus.txt").write_text(open(Path(__file__).resolve().parents[3].parent / "shared" / "eval" / "king.ref.txt").read())
def sp(prefix, extra=(), **kw):
    spm.SentencePieceTrainer.train(input=str(W / "corpus.txt"), model_prefix=str(W / prefix), vocab_size=300, model_type="bpe",
                                   user_defined_symbols=list(extra), minloglevel=2, normalization_rule_name="identity", **kw)
    return W / f"{prefix}.model"
def small(**kw):
    return dict(d_model=16, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2, decoder_attention_heads=2,
                encoder_ffn_dim=32, decoder_ffn_dim=32, max_position_embeddings=256, **kw)
# OPUS-MT (Marian), multilingual: >>som<< and >>tir<< choose the target
m = sp("marian")
p = spm.SentencePieceProcessor(model_file=str(m))
vocab = {"</s>": 0, "<unk>": 1}
for i in range(p.get_piece_size()):
    vocab.setdefault(p.id_to_piece(i), len(vocab))
for extra in (">>som<<", ">>tir<<", "<pad>"):
    vocab[extra] = len(vocab)
d = W / "marian-hf"; d.mkdir()
shutil.copy(m, d / "source.spm"); shutil.copy(m, d / "target.spm")
(d / "vocab.json").write_text(json.dumps(vocab))
tok = MarianTokenizer(str(d / "source.spm"), str(d / "target.spm"), str(d / "vocab.json"), source_lang="nb", target_lang="mul")
tok.save_pretrained(d)
marian_tokens = tok.convert_ids_to_tokens(tok(">>som<< Kjære alle sammen.").input_ids)
MarianMTModel(MarianConfig(vocab_size=len(vocab), pad_token_id=vocab["<pad>"], eos_token_id=0, decoder_start_token_id=vocab["<pad>"], **small())).save_pretrained(d)
TransformersConverter(str(d), copy_files=["source.spm", "target.spm", "tokenizer_config.json"]).convert(str(W / "opus-mt-nb-mul"), force=True)
# NLLB-200
n = sp("nllb")
d = W / "nllb-hf"; d.mkdir()
shutil.copy(n, d / "sentencepiece.bpe.model")
(d / "tokenizer_config.json").write_text('{"tokenizer_class": "NllbTokenizer", "src_lang": "nob_Latn", "tgt_lang": "som_Latn", "legacy_behaviour": false}')
from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES
tok = AutoTokenizer.from_pretrained(str(d), additional_special_tokens=list(FAIRSEQ_LANGUAGE_CODES), src_lang="nob_Latn", tgt_lang="som_Latn")
nllb_tokens = tok.convert_ids_to_tokens(tok("Kjære alle sammen.").input_ids)
tok.save_pretrained(d)
M2M100ForConditionalGeneration(M2M100Config(vocab_size=len(tok), pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id,
                                            decoder_start_token_id=tok.eos_token_id, scale_embedding=True, **small())).save_pretrained(d)
TransformersConverter(str(d), copy_files=["sentencepiece.bpe.model"]).convert(str(W / "nllb"), force=True)
# MADLAD-400 (T5)
t = sp("madlad", extra=["<2so>", "<2ti>", "<2en>", "<2no>"], pad_id=0, eos_id=1, unk_id=2, bos_id=-1)
d = W / "madlad-hf"; d.mkdir()
shutil.copy(t, d / "spiece.model")
(d / "tokenizer_config.json").write_text('{"tokenizer_class": "T5Tokenizer", "extra_ids": 0, "legacy": false}')
tok = AutoTokenizer.from_pretrained(str(d))
madlad_tokens = tok.convert_ids_to_tokens(tok("<2so> Kjære alle sammen.").input_ids)
tok.save_pretrained(d)
T5ForConditionalGeneration(T5Config(vocab_size=len(tok), d_model=16, d_kv=8, d_ff=32, num_layers=1, num_decoder_layers=1, num_heads=2,
                                    pad_token_id=0, eos_token_id=1, decoder_start_token_id=0, feed_forward_proj="gated-gelu",
                                    tie_word_embeddings=False)).save_pretrained(d)
TransformersConverter(str(d), copy_files=["spiece.model"]).convert(str(W / "madlad"), force=True)
expected = {"opus-mt-nb-mul": marian_tokens, "nllb": nllb_tokens, "madlad": madlad_tokens}
(W / "tokens.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1))
print(json.dumps(expected, ensure_ascii=False))
for x in expected:
    v = json.load(open(W / x / "shared_vocabulary.json")); print(x, len(v), sum(len(f.read_bytes()) for f in (W / x).iterdir()))
