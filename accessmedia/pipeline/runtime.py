"""Loaded models: what a worker keeps for every recording it handles.

A worker (this process, a process of the local pool, or a Ray actor) holds one
LoadedModels, so each model is loaded once per worker, not once per recording
or language. A loaded model never changes: how a recording is decoded or
translated comes with each call.
"""

from __future__ import annotations

from typing import Callable

from accessmedia.core import languages
from accessmedia.recognition.asr import Recognizer
from accessmedia.models.catalog import default_model
from accessmedia.pipeline.settings import Diarizing, ModelLoad, Translation
from accessmedia.models.translation import TranslationModel
from accessmedia.translation.translate import LoadedTranslator


class LoadedModels:
    def __init__(self) -> None:
        self._recognizers: dict[tuple, Recognizer] = {}
        self._translators: dict[tuple, LoadedTranslator] = {}
        self._speaker_models: dict[tuple, tuple[object, dict]] = {}

    def recognizer(self, load: ModelLoad, language: str, note: Callable[[str], None] | None = None) -> Recognizer:
        """The speech model for `load` and `language` (its tokenizer is the language's), loaded the first time."""
        key = (load, languages.normalize(language))
        if key not in self._recognizers:
            if note:
                note(f"loading speech model {load.model or default_model('asr')} ...")
            self._recognizers[key] = Recognizer(load, key[1], note)
        return self._recognizers[key]

    def translator(self, model: TranslationModel, translation: Translation) -> LoadedTranslator:
        key = (model.sha256, model.path, translation.device, translation.threads, translation.beam_size)
        if key not in self._translators:
            self._translators[key] = LoadedTranslator(model, translation.device, translation.threads, translation.beam_size)
        return self._translators[key]

    def speaker_model(self, diarizing: Diarizing, note: Callable[[str], None] | None = None) -> tuple[object, dict]:
        """The speaker model and what to record of it (name, source, sha256, licence), loaded the first time."""
        key = (diarizing.model, diarizing.threads)
        if key not in self._speaker_models:
            from accessmedia.speakers import embedding
            from accessmedia.models.catalog import resolve_speaker_model

            found, entry = resolve_speaker_model(diarizing.model, note)
            if note:
                note(f"loading speaker model {found.name} ...")
            model = embedding.load(found.path, diarizing.threads)
            model.window = entry.window if entry else "povey"
            info = {"name": found.name, "source": found.source, "sha256": found.sha256, "licence": entry.licence if entry else ""}
            self._speaker_models[key] = (model, info)
        return self._speaker_models[key]

    def segmentation(self, diarizing: Diarizing, note: Callable[[str], None] | None = None):
        """The overlapped-speech model (pyannote segmentation-3.0), loaded the first time."""
        key = ("segmentation", diarizing.threads)
        if key not in self._speaker_models:
            from accessmedia.models.catalog import resolve_speaker_model
            from accessmedia.speakers.networks.segmentation import Segmentation
            from accessmedia.models.speaker import model_file

            found, _entry = resolve_speaker_model(None, note, "segmentation")
            self._speaker_models[key] = (Segmentation(model_file(found.path), diarizing.threads), {"name": found.name})
        return self._speaker_models[key][0]

    def loads(self) -> dict[str, int]:
        return {"asr": len(self._recognizers), "translate": len(self._translators), "speaker": sum(1 for k in self._speaker_models if k[0] != "segmentation")}
