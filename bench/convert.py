"""Benchmark: converting a hub checkpoint of OPUS-MT transformer-big's shape (the tc-big models: 6+6 layers, d_model
1024, FFN 4096, 16 heads, a 57,000-piece vocabulary; 233 M parameters, float16 as Helsinki-NLP publishes them) to
CTranslate2 int8, by accessmedia (no torch) and by CTranslate2's own converter (ct2-transformers-converter, with
torch and transformers, in a throwaway environment: --peer PYTHON) in the same run, from the same files.

The checkpoint is made here with NumPy and safetensors (random weights, real names and shapes, the tokenizer files
of the tiny test checkpoint with a vocabulary padded to size); with --peer, its Python (which has torch) also
writes the same tensors as a PyTorch pytorch_model.bin, the format of the pinned tc-big revisions in the catalogue.
Each conversion is a process of its own: wall time, peak resident memory (wait4), and whether the two model.bin
files hold the same tensors. Target (issue 24): memory below about twice the checkpoint's size.

Writes the conversion section of bench/RESULTS.md and bench/results-convert.json.
Run: .venv/bin/python bench/convert.py --peer /tmp/conv/bin/python
(the peer: python3.11 -m venv /tmp/conv && /tmp/conv/bin/pip install torch transformers sentencepiece protobuf
safetensors ctranslate2; torch from the CPU wheel)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402

WORK = ROOT / "bench" / "work" / "convert"
TINY = ROOT / "tests" / "data" / "mt" / "hf" / "marian"
SHAPE = {"d_model": 1024, "layers": 6, "ffn": 4096, "heads": 16, "vocab": 57000, "positions": 1024}


def make(folder: Path) -> None:
    """The checkpoint: config.json, model.safetensors (float16), the tokenizer's files."""
    import numpy as np
    from safetensors.numpy import save_file

    rng = np.random.default_rng(0)
    d, ffn, vocab = SHAPE["d_model"], SHAPE["ffn"], SHAPE["vocab"]

    def w(*shape):
        return (rng.standard_normal(shape, dtype=np.float32) * 0.02).astype(np.float16)

    tensors = {"model.shared.weight": w(vocab, d), "final_logits_bias": np.zeros((1, vocab), dtype=np.float16)}
    for side in ("encoder", "decoder"):
        for i in range(SHAPE["layers"]):
            p = f"model.{side}.layers.{i}."
            for attn in ("self_attn",) + (("encoder_attn",) if side == "decoder" else ()):
                for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
                    tensors[f"{p}{attn}.{proj}.weight"], tensors[f"{p}{attn}.{proj}.bias"] = w(d, d), w(d)
                tensors[f"{p}{attn}_layer_norm.weight"] = np.ones(d, dtype=np.float16)
                tensors[f"{p}{attn}_layer_norm.bias"] = np.zeros(d, dtype=np.float16)
            tensors[p + "fc1.weight"], tensors[p + "fc1.bias"] = w(ffn, d), w(ffn)
            tensors[p + "fc2.weight"], tensors[p + "fc2.bias"] = w(d, ffn), w(d)
            tensors[p + "final_layer_norm.weight"] = np.ones(d, dtype=np.float16)
            tensors[p + "final_layer_norm.bias"] = np.zeros(d, dtype=np.float16)
    folder.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    tokens = json.loads((TINY / "vocab.json").read_text(encoding="utf-8"))
    tokens.pop("<pad>")
    for i in range(vocab - 1 - len(tokens)):
        tokens[f"▁piece{i}"] = len(tokens)
    tokens["<pad>"] = len(tokens)
    (folder / "vocab.json").write_text(json.dumps(tokens), encoding="utf-8")
    for name in ("source.spm", "target.spm"):
        shutil.copy(TINY / name, folder / name)
    tokenizer = json.loads((TINY / "tokenizer_config.json").read_text(encoding="utf-8"))
    added = tokenizer.get("added_tokens_decoder", {})  # <pad> moves to the end of the padded vocabulary
    tokenizer["added_tokens_decoder"] = {str(tokens[v["content"]]): v for v in added.values()}
    (folder / "tokenizer_config.json").write_text(json.dumps(tokenizer), encoding="utf-8")
    config = json.loads((TINY / "config.json").read_text(encoding="utf-8"))
    config.update(d_model=d, encoder_layers=SHAPE["layers"], decoder_layers=SHAPE["layers"], encoder_attention_heads=SHAPE["heads"],
                  decoder_attention_heads=SHAPE["heads"], encoder_ffn_dim=ffn, decoder_ffn_dim=ffn, vocab_size=vocab,
                  decoder_vocab_size=vocab, max_position_embeddings=SHAPE["positions"], pad_token_id=vocab - 1,
                  decoder_start_token_id=vocab - 1, activation_function="relu", scale_embedding=True, dtype="float16")
    (folder / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")


def measure(command: list[str]) -> tuple[float, float, float]:
    """(seconds, peak resident MB, peak anonymous MB) of one process. Resident memory counts the pages of a
    file mapped and read (which the kernel drops again when memory is short); anonymous memory (RssAnon,
    sampled every 20 ms) is what the process holds of its own: the measure of what a conversion needs."""
    import threading

    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_anon = [0]

    def sample() -> None:
        while proc.returncode is None:
            try:
                text = Path(f"/proc/{proc.pid}/status").read_text()
                anon = next(int(x.split()[1]) for x in text.splitlines() if x.startswith("RssAnon:"))
                peak_anon[0] = max(peak_anon[0], anon)
            except (OSError, StopIteration, ValueError):
                pass
            time.sleep(0.02)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = status
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{command[:3]} failed: {proc.stderr.read().decode()[-2000:]}")
    return round(seconds, 1), round(usage.ru_maxrss / 1024), round(peak_anon[0] / 1024)


def same_tensors(a: Path, b: Path) -> str:
    import numpy as np

    from tests.ct2_model_bin import read

    if (a / "model.bin").read_bytes() == (b / "model.bin").read_bytes():
        return "identical model.bin"
    _, va, aa = read(a / "model.bin")
    _, vb, ab = read(b / "model.bin")
    if sorted(va) != sorted(vb) or aa != ab:
        return "different variables"
    worst = max(float(np.abs(va[k].astype(np.float64) - vb[k].astype(np.float64)).max()) for k in va)
    differing = [k for k in va if not np.array_equal(va[k], vb[k])]
    return f"{len(va) - len(differing)} of {len(va)} tensors identical, the others within {worst:.1e}: {', '.join(differing)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peer", help="a Python with torch, transformers and ctranslate2 (CTranslate2's own converter)")
    args = parser.parse_args()
    source = WORK / "checkpoint"
    if not (source / "model.safetensors").is_file():
        subprocess.run([sys.executable, __file__, "--make-only"], check=True)
    size_mb = round(sum(f.stat().st_size for f in source.iterdir()) / 1e6)
    convert = ("import sys; from pathlib import Path; from accessmedia.models.convert import convert; "
               "convert(Path(sys.argv[1]), Path(sys.argv[2]))")
    rows, outputs = [], {}

    def run(label: str, folder: Path, command: list[str], out: Path) -> None:
        shutil.rmtree(out, ignore_errors=True)
        seconds, peak, anon = measure(command)
        outputs[label] = out
        rows.append({"run": label, "seconds": seconds, "peak_mb": peak, "anon_mb": anon, "x_checkpoint": round(anon / size_mb, 2)})
        print(rows[-1], flush=True)

    run("accessmedia (model.safetensors)", source, [sys.executable, "-c", convert, str(source), str(WORK / "ours")], WORK / "ours")
    if args.peer:
        binary = WORK / "checkpoint-bin"
        if not (binary / "pytorch_model.bin").is_file():
            shutil.copytree(source, binary, ignore=shutil.ignore_patterns("model.safetensors"), dirs_exist_ok=True)
            subprocess.run([args.peer, "-c", "import sys, torch; from safetensors.torch import load_file; "
                            "torch.save(load_file(sys.argv[1]), sys.argv[2])", str(source / "model.safetensors"),
                            str(binary / "pytorch_model.bin")], check=True)
        run("accessmedia (pytorch_model.bin)", binary, [sys.executable, "-c", convert, str(binary), str(WORK / "ours-bin")], WORK / "ours-bin")
        converter = str(Path(args.peer).parent / "ct2-transformers-converter")
        run("ct2-transformers-converter (torch)", source, [converter, "--model", str(source), "--output_dir", str(WORK / "peer"),
                                                           "--quantization", "int8"], WORK / "peer")
    agreement = {label: same_tensors(out, outputs["ct2-transformers-converter (torch)"])
                 for label, out in outputs.items() if args.peer and not label.startswith("ct2")}
    result = {"measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": f"{platform.node()} {platform.machine()}",
              "cores": os.cpu_count(), "shape": SHAPE, "checkpoint_mb": size_mb, "rows": rows, "agreement": agreement}
    (ROOT / "bench" / "results-convert.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    lines = [f"Measured {result['measured']} on {result['machine']}, {os.cpu_count()} cores, Python {platform.python_version()}. "
             f"A checkpoint of OPUS-MT tc-big's shape ({SHAPE['layers']}+{SHAPE['layers']} layers, d_model {SHAPE['d_model']}, "
             f"vocabulary {SHAPE['vocab']:,}; float16, {size_mb} MB, random weights) converted to CTranslate2 int8; each run a "
             "process of its own. Peak RSS counts the checkpoint's pages mapped and read, which the kernel drops again "
             "when memory is short; peak anonymous memory (RssAnon) is what the process holds of its own, the measure "
             "of what converting needs.", "",
             "| run | seconds | peak RSS (MB) | peak anonymous (MB) | anonymous / checkpoint size |", "|---|---|---|---|---|"]
    lines += [f"| {r['run']} | {r['seconds']} | {r['peak_mb']} | {r['anon_mb']} | {r['x_checkpoint']}x |" for r in rows]
    peer = next((r for r in rows if r["run"].startswith("ct2")), None)
    if peer:
        ours = rows[0]
        lines += ["", f"accessmedia / CTranslate2's converter: time **{ours['seconds'] / peer['seconds']:.2f}x**, "
                  f"peak anonymous memory **{ours['anon_mb'] / peer['anon_mb']:.2f}x** (resident {ours['peak_mb'] / peer['peak_mb']:.2f}x); "
                  f"target: under 2 minutes ({'met' if ours['seconds'] <= 120 else 'not met'}) and memory below about 2x the checkpoint "
                  f"({'met' if max(r['x_checkpoint'] for r in rows if not r['run'].startswith('ct2')) <= 2.0 else 'not met'})."]
        lines += [f"Against the peer's model.bin: {label}: {text}." for label, text in agreement.items()]
    write_section("Converting hub checkpoints (bench/convert.py)", lines)


if __name__ == "__main__":
    if sys.argv[1:] == ["--make-only"]:
        make(WORK / "checkpoint")
    else:
        main()
