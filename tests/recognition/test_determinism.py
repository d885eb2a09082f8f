"""The same recording and settings give the same words, whatever the threads, worker or executor."""

from __future__ import annotations

import pytest

import dataclasses
import os
import subprocess
import sys
from types import SimpleNamespace

from accessmedia.recognition import whisper_fixes

from ..conftest import SAMPLE

FEATURES = """
import hashlib, sys
from accessmedia.recognition import asr
from accessmedia.core import media
from accessmedia.pipeline.settings import ModelLoad
r = asr.Recognizer(ModelLoad(threads=1))
info = media.probe(sys.argv[1])
audio = next(media.decode_blocks(sys.argv[1], info.track(None), block_seconds=30.0))
print(hashlib.sha256(r.model.feature_extractor(audio).tobytes()).hexdigest())
"""


def _features(blas_threads: str) -> str:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": blas_threads, "OMP_NUM_THREADS": blas_threads}
    done = subprocess.run([sys.executable, "-c", FEATURES, str(SAMPLE)], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.mark.slow
def test_speech_features_do_not_depend_on_blas_threads():
    # faster-whisper's own float32 product differs in its last bits with 1 and 2 BLAS threads,
    # enough for Whisper to hear some words differently (a local pool and Ray differ in OMP_NUM_THREADS)
    assert _features("1") == _features("2")


@dataclasses.dataclass
class Options:  # the two fields of faster-whisper's TranscriptionOptions the fallback reads
    compression_ratio_threshold: float | None = 2.4
    no_repeat_ngram_size: int = 0


def _result(ratio: float, text: str):
    return (SimpleNamespace(text=text), -0.5, 0.0, ratio)


def test_a_looping_window_is_decoded_again_without_sampling():
    calls = []

    def generate(encoder_output, prompt, tokenizer, options):
        calls.append(options.no_repeat_ngram_size)
        return _result(3.1, "loop loop loop") if options.no_repeat_ngram_size == 0 else _result(1.4, "a sentence")

    decode = whisper_fixes.deterministic_fallback(generate)
    assert decode(None, [], None, Options())[0].text == "a sentence"
    assert calls == [0, 3]  # decoded again with repeated 3-grams forbidden
    calls.clear()
    assert decode(None, [], None, Options(compression_ratio_threshold=None))[0].text == "loop loop loop"
    assert calls == [0]  # no threshold: no retry


def test_a_retry_that_loops_more_is_not_taken():
    decode = whisper_fixes.deterministic_fallback(lambda e, p, t, o: _result(2.6 if o.no_repeat_ngram_size == 0 else 2.9, str(o.no_repeat_ngram_size)))
    assert decode(None, [], None, Options())[0].text == "0"


def test_faster_whisper_options_have_the_fields_the_fallback_reads():
    from faster_whisper.transcribe import TranscriptionOptions

    fields = {f.name for f in dataclasses.fields(TranscriptionOptions)}
    assert {"compression_ratio_threshold", "no_repeat_ngram_size", "temperatures"} <= fields
