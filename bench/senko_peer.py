"""The peer for bench/speakers.py: senko 0.2.2 (3D-Speaker's CAM++ and clustering, in torch) on the CPU,
run in a throwaway environment of its own, never in accessmedia's (bench/speakers.py --senko sets it up):

    python3 -m venv /tmp/senko && /tmp/senko/bin/pip install torch==2.13.0 senko==0.2.2
    /tmp/senko/bin/pip download --no-deps torchaudio==2.9.1 -d /tmp/senko/wheels
    /tmp/senko/bin/python bench/senko_peer.py A.wav B.wav ...   (16 kHz mono 16-bit WAV)

Prints one JSON object: per file, the merged speaker turns [start, end, speaker] and the seconds of
diarization (models loaded and warmed up before). On the CPU senko finds speech with Silero (its pyannote
detector is for CUDA and CoreML only) and computes features with a prebuilt library that uses AVX-512
instructions: on a CPU without AVX-512 it stops with SIGILL, so there the same Kaldi filterbank (80 bins,
25/10 ms, povey window, no dither: the options senko gives kaldifeat on CUDA) is computed with
torchaudio's pure-torch kaldi.fbank instead, through senko's own GPU feature path.
"""

import json
import sys
import time
from pathlib import Path


def _has_avx512() -> bool:
    text = Path("/proc/cpuinfo").read_text()
    return " avx512f" in text


def _kaldi_fbank():
    """torchaudio.compliance.kaldi, pure torch, read from the torchaudio wheel beside the environment."""
    import importlib.util
    import types
    import zipfile

    wheels = sorted((Path(sys.prefix) / "wheels").glob("torchaudio-*.whl"))
    if not wheels:
        sys.exit(f"no torchaudio wheel in {Path(sys.prefix) / 'wheels'}: pip download --no-deps torchaudio==2.9.1 -d there")
    target = Path(sys.prefix) / "kaldi.py"
    with zipfile.ZipFile(wheels[-1]) as z:
        target.write_bytes(z.read("torchaudio/compliance/kaldi.py"))
    sys.modules.setdefault("torchaudio", types.ModuleType("torchaudio"))  # kaldi.py imports it, uses none of it
    spec = importlib.util.spec_from_file_location("kaldi", target)
    kaldi = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(kaldi)
    return kaldi


def main() -> None:
    import senko

    diarizer = senko.Diarizer(device="cpu", warmup=False, quiet=True)
    features = "senko's prebuilt library (AVX-512)"
    if not _has_avx512():
        kaldi = _kaldi_fbank()

        def fbank(segments):
            return [kaldi.fbank(s[None], num_mel_bins=80, frame_length=25.0, frame_shift=10.0, dither=0.0, preemphasis_coefficient=0.97,
                                remove_dc_offset=True, window_type="povey", round_to_power_of_two=True, snip_edges=True,
                                low_freq=20.0, high_freq=0.0, use_energy=False, energy_floor=1.0, raw_energy=True,
                                use_log_fbank=True, use_power=True, sample_frequency=16000) for s in segments]

        diarizer.kaldifeat_fbank, diarizer.use_gpu_fbank = fbank, True
        features = "torchaudio kaldi.fbank (this CPU has no AVX-512)"
    first = sys.argv[1]
    diarizer.diarize(first)  # warm up on the first file
    out = {"features": features}
    for path in sys.argv[1:]:
        t = time.perf_counter()
        result = diarizer.diarize(path)
        seconds = time.perf_counter() - t
        turns = [[s["start"], s["end"], str(s["speaker"])] for s in (result or {}).get("merged_segments", [])]
        out[path] = {"turns": turns, "seconds": round(seconds, 3)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
