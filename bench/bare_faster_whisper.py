"""The peer: bare faster-whisper on one file, as its README shows it. Prints JSON."""

import argparse
import json
import time

from faster_whisper import WhisperModel

parser = argparse.ArgumentParser()
parser.add_argument("audio")
parser.add_argument("--model", required=True)
parser.add_argument("--beam-size", type=int, default=5)
parser.add_argument("--word-timestamps", action="store_true")
args = parser.parse_args()

started = time.monotonic()
model = WhisperModel(args.model, device="cpu", compute_type="int8")
segments, info = model.transcribe(
    args.audio,
    language="no",
    beam_size=args.beam_size,
    vad_filter=True,
    condition_on_previous_text=False,
    word_timestamps=args.word_timestamps,
)
text = " ".join(s.text.strip() for s in segments)
print(json.dumps({"text": text, "seconds": time.monotonic() - started, "duration": info.duration}))
