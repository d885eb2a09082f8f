"""Translation's part of the settings: the target languages, protected terms, engine and pinned routes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Translation:
    targets: tuple[str, ...] = ()  # BCP-47 codes
    protected: tuple[str, ...] = ()  # names and terms kept exactly as they are in every language
    beam_size: int = 2
    engine: str = "argos"
    device: str = "cpu"
    threads: int = 0  # 0 = every core
    routes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # pinned: (language, (model,) or (model to English, model from English))

    def pin(self, language: str) -> tuple[str, ...] | None:
        return dict(self.routes).get(language)
