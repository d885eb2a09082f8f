"""What to install for a set of languages: one command (`accessmedia models install --for so,ti,ar`).

For each language the best route over the catalogue's models and those installed (routes.py: by published
quality, a pivot by its weaker leg), then the models it needs that are not installed yet. A route that needs a
non-commercial licence the person has not accepted gives way to the best route without one, and the plan says
what accepting it would bring. `plan` is pure; `install` carries it out, model by model (models/translation.py
checks, downloads, converts where needed and installs each).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

from accessmedia.core.errors import AccessMediaError
from accessmedia.models import hubfiles
from accessmedia.models.catalog import CatalogEntry
from accessmedia.models.translation import TranslationModel, install as install_model, licence_gate, non_commercial
from accessmedia.translation.routes import Route, candidates, catalogue_models


@dataclass(frozen=True)
class Choice:
    language: str
    route: Route | None  # None: no model in the catalogue reaches the language
    install: tuple[str, ...]  # the route's models not installed yet
    better: Route | None = None  # a better route that needs a licence not accepted

    def describe(self) -> str:
        if self.route is None:
            return f"{self.language}: no model in the catalogue; volunteers translate it (a template is written)"
        todo = f"install {', '.join(self.install)}" if self.install else "installed"
        text = f"{self.language}: {self.route.describe()}, {self.route.engine()}: {todo}"
        if self.better is not None:
            text += (f" (better: {self.better.describe()} with {', '.join(s.model.name for s in self.better.steps)}, "
                     f"{'; '.join(self.better.licences)}, published chrF {self.better.quality:.3f}: run again with "
                     f"--accept-licence {next(x for x in self.better.licences if non_commercial(x))})")
        return text


@dataclass(frozen=True)
class Plan:
    choices: tuple[Choice, ...]
    sizes_mb: Mapping[str, float] = field(default_factory=dict)  # each model to install: its download
    unconfirmed: frozenset[str] = frozenset()  # models whose hub repository was never checked on its page

    @property
    def install(self) -> list[str]:
        return list(dict.fromkeys(name for c in self.choices for name in c.install))

    def offer(self, language: str) -> dict | None:
        """What installing would give `language` (for the studio): the models, their licences, size and published
        quality; None where nothing is to install."""
        choice = next((c for c in self.choices if c.language == language), None)
        if choice is None or choice.route is None or not choice.install:
            return None
        return {"language": language, "install": list(choice.install), "route": choice.route.describe(), "engine": choice.route.engine(),
                "licences": choice.route.licences, "quality": choice.route.quality,
                "non_commercial": any(non_commercial(x) for x in choice.route.licences),
                "size_mb": round(sum(self.sizes_mb[n] for n in choice.install)),
                "unconfirmed": [n for n in choice.install if n in self.unconfirmed]}


def plan(source: str, targets: Sequence[str], installed: Mapping[str, TranslationModel],
         catalogue: Mapping[str, CatalogEntry], accepted: str | None = None) -> Plan:
    every = {**catalogue_models(catalogue, installed), **installed}
    allowed = (accepted or "").strip().upper()

    def usable(route: Route) -> bool:  # a non-commercial model is used once its licence is accepted by name
        return all(not non_commercial(x) or x.upper() == allowed or s.model.name in installed
                   for s in route.steps for x in [s.model.licence])

    choices = []
    for target in targets:
        found = candidates(source, target, every, catalogue)
        route = next((r for r in found if usable(r)), None)
        better = found[0] if found and route is not None and found[0] is not route and not usable(found[0]) else None
        if route is None and found:
            better = found[0]
        need = tuple(s.model.name for s in route.steps if s.model.name not in installed) if route else ()
        choices.append(Choice(target, route, need, better))
    sizes = {name: hubfiles.download_mb(catalogue[name]) for c in choices for name in c.install}
    unchecked = frozenset(name for name in sizes if not catalogue[name].confirmed)
    return Plan(tuple(choices), sizes, unchecked)


def install(source: str, targets: Sequence[str], installed: Mapping[str, TranslationModel],
            catalogue: Mapping[str, CatalogEntry], accepted: str | None = None,
            progress: Callable[[str], None] | None = None) -> Plan:
    """Carry out the plan: the models each language's best route needs, one after another (a model installed
    stays installed if a later one fails; running the command again goes on from there)."""
    chosen = plan(source, targets, installed, catalogue, accepted)
    say = progress or (lambda _message: None)
    for choice in chosen.choices:
        say(choice.describe())
    blocked = [c for c in chosen.choices if c.route is None and c.better is not None]
    if blocked:
        first = blocked[0].better
        licence = next(x for x in first.licences if non_commercial(x))
        licence_gate(first.steps[0].model.name, licence, accepted)  # says what to do
    if not chosen.install:
        say("nothing to install: every language's best route is installed")
    total = sum(chosen.sizes_mb.values())
    for n, name in enumerate(chosen.install, 1):
        caveat = "; its repository was never checked on the hub's page" if name in chosen.unconfirmed else ""
        say(f"[{n}/{len(chosen.install)}] {name} ({chosen.sizes_mb[name]:,.0f} MB of {total:,.0f} MB{caveat})")
        try:
            install_model(name, accepted, progress)
        except AccessMediaError as exc:
            raise AccessMediaError(f"{name}: {exc.message}", exc.hint or "run the command again to go on") from None
    return chosen
