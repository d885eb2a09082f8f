"""Benchmark: which CTranslate2 batching and threading settings translate fastest on this machine.

The benchmark's Argos-size model (6 layers, d_model 512, int8, a subword vocabulary learnt from the text),
300 sentences of the king's speech as accessmedia makes them, beam 2. Each setting translates them as the
Engine does (calls of `chunk` sentences, each split into batches of at most `tokens` tokens), best of 3.
`intra` threads work on one batch, `inter` batches run at once. accessmedia uses the fastest on 2 cores
(translate.LoadedTranslator: two batches at once where there are 2 or more cores, 512 tokens, 128 sentences).

Writes the batching section of bench/RESULTS.md. Run: .venv/bin/python bench/batching.py
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SETTINGS = [  # (intra, inter, tokens per batch, sentences per call)
    (2, 1, 2048, 64),  # accessmedia before 2026-11-29
    (1, 2, 2048, 64),
    (1, 2, 1024, 64),
    (1, 2, 512, 64),
    (1, 2, 256, 64),
    (1, 2, 512, 128),
    (2, 1, 512, 128),
    (1, 2, 512, 32),
]


def main() -> None:
    import ctranslate2
    import sentencepiece as spm

    from accessmedia.subtitles import formats as subtitles
    from accessmedia.translation.translate import sentences_of
    from bench.results import write_section
    from bench.translate import make_srt
    from tests.argos_toy import build_package

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        srt = work / "b.nb.srt"
        make_srt(srt, 600)
        cues = subtitles.read(srt).cues
        package = build_package(work / "p.argosmodel", "nb", "en", size="subword", corpus="\n".join(" ".join(c.lines) for c in cues))
        with zipfile.ZipFile(package) as z:
            z.extractall(work / "x")
        top = next((work / "x").iterdir())
        sp = spm.SentencePieceProcessor(model_file=str(top / "sentencepiece.model"))
        tokens = [sp.encode(s, out_type=str) for s in sentences_of(cues)[0]]

        def run(intra: int, inter: int, per_batch: int, chunk: int) -> float:
            translator = ctranslate2.Translator(str(top / "model"), intra_threads=intra, inter_threads=inter)
            best = float("inf")
            for _ in range(3):
                started = time.perf_counter()
                for i in range(0, len(tokens), chunk):
                    part = tokens[i : i + chunk]
                    translator.translate_batch(part, max_batch_size=per_batch, batch_type="tokens", beam_size=2, length_penalty=0.2,
                                               replace_unknowns=True, max_decoding_length=3 * max(map(len, part)) + 16)
                best = min(best, time.perf_counter() - started)
            return best

        rows = [(s, run(*s)) for s in SETTINGS]
    base = rows[0][1]
    date = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    machine = f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    lines = [
        f"Measured {date} on {machine}. {len(tokens)} sentences, {statistics.mean(map(len, tokens)):.1f} tokens on average, "
        "the benchmark's Argos-size model, beam 2, best of 3; translation only (model loaded).",
        "",
        "| threads per batch | batches at once | tokens per batch | sentences per call | seconds | vs. the first row |",
        "|---|---|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} | {t:.2f} | {base / t:.2f}x |" for (a, b, c, d), t in rows],
    ]
    print("\n".join(lines))
    write_section("Translation batching (bench/batching.py)", lines)


if __name__ == "__main__":
    main()
