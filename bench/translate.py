"""Benchmark: `accessmedia translate` against argostranslate's translate() called once per cue,
and one row per engine family (Argos, OPUS-MT, NLLB-200, MADLAD-400).

Same model (an Argos-format nb->en package of Argos' size, 6 layers, d_model 512,
int8, made here because Argos models cannot be downloaded), same beam, same
machine. Each side runs in its own process, so peak memory is its own (the
child's VmHWM: a child's ru_maxrss starts from its parent's). The family rows
use a model of each family of the same size and vocabulary (tests/mt_toy.py),
each with its own token conventions, one run each.
The peer's sentence splitter (MiniSBD, which downloads a model) is replaced by
"the cue is one sentence", which only makes the peer faster.

Writes the translation section of bench/RESULTS.md and bench/results-translate.json.
Run: .venv/bin/python bench/translate.py [--cues 200]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EVAL = Path(os.environ.get("ACCESSMEDIA_EVAL", ROOT.parent / "shared" / "eval"))
BEAM = 2


def make_srt(path: Path, cues: int) -> None:
    """Norwegian cues from the king's speech, each sentence made unique by a number, 2-3 cues a sentence."""
    from accessmedia.subtitles.cue import Cue
    from accessmedia.subtitles.formats import compose_srt

    sentences = [s.strip() for s in (EVAL / "king.ref.txt").read_text(encoding="utf-8").replace("!", ".").split(".") if s.strip()]
    out, t, n = [], 1.0, 0
    while len(out) < cues:
        words = f"{sentences[n % len(sentences)]} nummer {n}.".split()
        n += 1
        size = max(3, len(words) // 2 + 1)
        for i in range(0, len(words), size):
            text = " ".join(words[i : i + size])
            out.append(Cue(round(t, 3), round(t + 2.5, 3), (text,)))
            t += 2.6
    path.write_text(compose_srt(out[:cues]), encoding="utf-8")


def child(kind: str, srt: Path, models: Path, work: Path) -> None:
    from accessmedia.subtitles import formats as subtitles

    cues = subtitles.read(srt).cues
    started = time.monotonic()
    sentences = 0
    if kind == "accessmedia":
        from accessmedia import api
        from accessmedia.pipeline.settings import Translation, build

        sentences = api.translate(srt, work / "out", build(targets=["en"], translation=Translation(beam_size=BEAM))).sentences
    else:
        from argostranslate import package, sbd, translate

        sbd.MiniSBDSentencizer.split_sentences = lambda self, text: [text]
        package.install_from_path(next(models.glob("*.argosmodel")))
        for cue in cues:
            translate.translate(" ".join(cue.lines), "nb", "en")
    seconds = time.monotonic() - started
    peak = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM:"))
    print(json.dumps({"seconds": seconds, "cues": len(cues), "sentences": sentences or len(cues), "peak_kb": peak}))


def measure(kind: str, srt: Path, models: Path, work: Path, home: Path | None = None) -> dict:
    env = {**os.environ, "ACCESSMEDIA_MODELS": str(home or models / "home"), "ARGOS_PACKAGES_DIR": str(work / f"argos-{kind}"),
           "ARGOS_BEAM_SIZE": str(BEAM), "XDG_DATA_HOME": str(work / "xdg"), "XDG_CACHE_HOME": str(work / "xdg-cache")}
    cmd = [sys.executable, __file__, "--child", kind, "--srt", str(srt), "--models", str(models), "--work", str(work / kind)]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, env=env, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} failed")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"seconds": round(data["seconds"], 2), "cues": data["cues"], "cues_per_second": round(data["cues"] / data["seconds"], 1),
            "sentences": data["sentences"], "sentences_per_second": round(data["sentences"] / data["seconds"], 1),
            "peak_rss_mb": round(data["peak_kb"] / 1024)}


def families(srt: Path, corpus: str, work: Path) -> dict[str, dict]:
    """One run of `accessmedia translate` nb->en with a model of each family (same size, same vocabulary learnt
    from the text), each the only model installed in its models folder."""
    from tests.argos_toy import build_package
    from tests.mt_toy import build_madlad, build_marian, build_nllb

    builders = {
        "Argos Translate": lambda d: build_package(d / "translate-nb_en.argosmodel", "nb", "en", size="subword", corpus=corpus),
        "OPUS-MT (Marian)": lambda d: build_marian(d / "opus-mt-nb-en", "nb", ["en"], size="subword", corpus=corpus),
        "NLLB-200": lambda d: build_nllb(d / "nllb-nb-en", ["nb", "en"], size="subword", corpus=corpus),
        "MADLAD-400": lambda d: build_madlad(d / "madlad-en", ["en"], size="subword", corpus=corpus),
    }
    rows = {}
    for n, (family, build) in enumerate(builders.items()):
        folder = work / f"family{n}"
        model = build(folder / "made")
        home = folder / "home"
        extra = ["--accept-licence", "CC-BY-NC-4.0"] if family == "NLLB-200" else []
        subprocess.run([sys.executable, "-m", "accessmedia.cli", "models", "add", str(model), *extra], check=True,
                       env={**os.environ, "ACCESSMEDIA_MODELS": str(home)}, stdout=subprocess.DEVNULL)
        rows[family] = measure("accessmedia", srt, folder, folder / "run", home)
        from accessmedia.subtitles import formats as subtitles
        from tests.argos_toy import expected

        source = " ".join(" ".join(c.lines) for c in subtitles.read(srt).cues)
        made = " ".join(" ".join(c.lines) for c in subtitles.read(folder / "run" / "accessmedia" / "out" / "bench.en.srt").cues)
        rows[family]["translates_as_expected"] = made.split() == expected(source, ("nb", "en")).split()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cues", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child")
    parser.add_argument("--srt", type=Path)
    parser.add_argument("--models", type=Path)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    if args.child:
        args.work.mkdir(parents=True, exist_ok=True)
        return child(args.child, args.srt, args.models, args.work)
    from bench.results import write_section
    from tests.argos_toy import build_package

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        models = work / "models"
        srt = work / "bench.nb.srt"
        make_srt(srt, args.cues)
        from accessmedia.subtitles import formats as subtitles

        corpus = "\n".join(" ".join(c.lines) for c in subtitles.read(srt).cues)
        # a subword vocabulary learnt from the text: sentences as many tokens long as with a real model
        package = build_package(models / "translate-nb_en.argosmodel", "nb", "en", size="subword", corpus=corpus)
        import zipfile

        import sentencepiece as spm

        with zipfile.ZipFile(package) as z:
            sp_name = next(n for n in z.namelist() if n.endswith("sentencepiece.model"))
            vocabulary = spm.SentencePieceProcessor(model_proto=z.read(sp_name)).get_piece_size()
        env = {**os.environ, "ACCESSMEDIA_MODELS": str(models / "home")}
        subprocess.run([sys.executable, "-m", "accessmedia.cli", "models", "add", str(package)], check=True, env=env, stdout=subprocess.DEVNULL)
        runs = {"accessmedia": [], "argostranslate": []}
        for n in range(args.runs):  # alternating, so that both see the machine in the same state
            for kind in runs:
                runs[kind].append(measure(kind, srt, models, work / f"run{n}"))
        by_family = families(srt, corpus, work)
    import statistics

    def summary(rows: list[dict]) -> dict:
        seconds = sorted(r["seconds"] for r in rows)
        return {"seconds": statistics.median(seconds), "min": seconds[0], "max": seconds[-1], "cues": rows[0]["cues"],
                "cues_per_second": round(rows[0]["cues"] / statistics.median(seconds), 1),
                "peak_rss_mb": max(r["peak_rss_mb"] for r in rows), "runs": rows}

    ours, peer = summary(runs["accessmedia"]), summary(runs["argostranslate"])
    ratios = sorted(p["seconds"] / o["seconds"] for o, p in zip(runs["accessmedia"], runs["argostranslate"]))
    results = {
        "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "beam": BEAM, "vocabulary": vocabulary, "accessmedia": ours, "argostranslate per cue": peer,
        "speedup": round(ours["cues_per_second"] / peer["cues_per_second"], 2),
        "speedup_per_run": [round(r, 2) for r in ratios],
        "families": by_family,
    }
    print(json.dumps(results, indent=1))
    (ROOT / "bench" / "results-translate.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    write_section("Translation (bench/translate.py)", [
        f"Measured {results['date']} on {results['machine']}, CPU. Model: an Argos-format nb->en package of Argos' size "
        f"(6 layers, d_model 512, int8) with a subword vocabulary (BPE, {results['vocabulary']} pieces, learnt from the text: a "
        f"sentence is as many tokens as with a real model); made by the benchmark, since Argos models cannot be downloaded here. "
        f"Beam {BEAM}, {ours['cues']} cues. Whole run including model loading; each side in its own process, "
        f"{len(ours['runs'])} runs each, alternating.",
        "",
        "| run | seconds (median; min-max) | cues per second | peak RSS (MB) |",
        "|---|---|---|---|",
        f"| accessmedia translate (sentences, batched) | {ours['seconds']} ({ours['min']}-{ours['max']}) | {ours['cues_per_second']} | {ours['peak_rss_mb']} |",
        f"| argostranslate translate() per cue | {peer['seconds']} ({peer['min']}-{peer['max']}) | {peer['cues_per_second']} | {peer['peak_rss_mb']} |",
        "",
        f"Speed-up: **{results['speedup']}x** (medians; per run {', '.join(f'{r}x' for r in results['speedup_per_run'])}; target >= 3x).",
        "",
        "Per engine family, `accessmedia translate` nb->en with a model of that family of the same size (6 layers, d_model 512, "
        "int8, the same subword vocabulary), each family's own files and tokens (NLLB: source and target language tokens, "
        "MADLAD: a `<2en>` tag, OPUS-MT: source.spm/target.spm and </s>); one run each, whole run including model loading:",
        "",
        "| engine family | seconds | sentences per second | peak RSS (MB) | output as the model's table says |",
        "|---|---|---|---|---|",
        *[f"| {family} | {r['seconds']} | {r['sentences_per_second']} | {r['peak_rss_mb']} | {'yes' if r['translates_as_expected'] else 'NO'} |"
          for family, r in by_family.items()],
        "",
        "The families differ here only in their conventions (an extra language token per sentence for NLLB and MADLAD, a "
        "target prefix for NLLB); real models differ far more in size: OPUS-MT ~300 MB, NLLB-200 600M ~620 MB int8, "
        "MADLAD-400 3B ~3 GB int8, whose cost grows with their layers and width.",
    ])

if __name__ == "__main__":
    main()
