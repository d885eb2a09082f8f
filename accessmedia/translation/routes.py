"""Routes: which installed models take the spoken language to each target language.

For each language the best installed route wins, by the catalogue's published quality (chrF on FLORES-200
devtest): a direct model (Norwegian -> X), or a pivot through English with a model for each leg, which counts
as its weaker leg. So a pivot wins only where both its legs are published better than the direct model (gmq-en
at 0.682 and NLLB-200 1.3B en->so at 0.459 against NLLB-200 1.3B nb->so at 0.405: the weaker leg, 0.459, is
higher); a pivot decodes twice and its errors add up, so at equal figures the direct model wins, and a direct
model without a published figure is not compared (it wins, as the only direct route). Within a kind, a route
without a published figure comes after those with one; equal ones go by name. A pin (the event manifest's
[routes] table) names the models itself. Pure: the models and the catalogue come in as arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from accessmedia.core.errors import AccessMediaError
from accessmedia.models.catalog import CatalogEntry
from accessmedia.models.translation import FAMILIES, TranslationModel, non_commercial

PIVOT = "en"


@dataclass(frozen=True)
class Step:
    """One leg of a route: a model taking `source` to `target`."""

    model: TranslationModel
    source: str
    target: str

    def cache_key(self, beam_size: int) -> str:
        return self.model.cache_key(self.source, self.target, beam_size)


@dataclass(frozen=True)
class Route:
    source: str
    target: str
    steps: tuple[Step, ...]
    quality: float | None = None  # published chrF (a pivot: its weaker leg); None where none is published
    pinned: bool = False
    legs: tuple[float | None, ...] = ()  # each step's published chrF

    @property
    def kind(self) -> str:
        return "direct" if len(self.steps) == 1 else "pivot"

    def describe(self) -> str:
        """nb->en direct, nb->en->ar pivot."""
        return "->".join([self.source] + [s.target for s in self.steps]) + f" {self.kind}"

    @property
    def licences(self) -> list[str]:
        return list(dict.fromkeys(s.model.licence or "licence not recorded" for s in self.steps))

    def engine(self) -> str:
        """Which engines and models, with licences and published quality: for people (run report, models list)."""
        legs = ", ".join(f"{FAMILIES[s.model.family]} {s.model.name}" for s in self.steps)
        quality = f"published chrF {self.quality:.3f}" if self.quality is not None else "no published chrF"
        return f"{legs} ({'; '.join(self.licences)}; {quality}{'; pinned' if self.pinned else ''})"

    def record(self) -> dict:
        return {"route": self.describe(), "engine": self.engine(), "models": [s.model.name for s in self.steps],
                "licences": self.licences, "quality": self.quality, "non_commercial": any(non_commercial(x) for x in self.licences)}


def published(catalogue: Mapping[str, CatalogEntry], model: str, source: str, target: str) -> float | None:
    entry = catalogue.get(model)
    return entry.quality(source, target) if entry is not None else None


def _route(source: str, target: str, legs: Sequence[tuple[TranslationModel, str, str]], catalogue: Mapping[str, CatalogEntry],
           pinned: bool = False) -> Route:
    steps = tuple(Step(m, s, t) for m, s, t in legs)
    scores = [published(catalogue, s.model.name, s.source, s.target) for s in steps]
    quality = min(scores) if all(q is not None for q in scores) else None
    return Route(source, target, steps, quality, pinned, tuple(scores))


def candidates(source: str, target: str, models: Mapping[str, TranslationModel], catalogue: Mapping[str, CatalogEntry]) -> list[Route]:
    """Every route the models offer, best first."""
    found = [_route(source, target, [(m, source, target)], catalogue) for m in models.values() if m.covers(source, target)]
    if PIVOT not in (source, target):
        first = [m for m in models.values() if m.covers(source, PIVOT)]
        second = [m for m in models.values() if m.covers(PIVOT, target)]
        # a model that translates the direction itself is not its own pivot: its direct figure is measured, its
        # pivot's (the weaker leg) only a bound
        found += [_route(source, target, [(a, source, PIVOT), (b, PIVOT, target)], catalogue) for a in first for b in second
                  if not (a is b and a.covers(source, target))]
    direct = sorted((r for r in found if r.kind == "direct"), key=_rank)
    pivots = sorted((r for r in found if r.kind == "pivot"), key=_rank)
    if direct and direct[0].quality is not None:  # pivots published better than the best direct model go first
        better = [r for r in pivots if r.quality is not None and r.quality > direct[0].quality]
        return better + direct + [r for r in pivots if r not in better]
    return direct + pivots


def _rank(route: Route) -> tuple:
    """By the route's published quality (a pivot's: its weaker leg), unknown last; then leg by leg (the best
    model for each leg)."""
    legs = [(q is None, -(q or 0.0), s.model.name) for s, q in zip(route.steps, route.legs)]
    return (route.quality is None, -(route.quality or 0.0), legs)


def best(source: str, target: str, models: Mapping[str, TranslationModel], catalogue: Mapping[str, CatalogEntry],
         pin: Sequence[str] | None = None) -> Route | None:
    """The route to use: the pinned one, else the best installed; None where there is none."""
    if pin:
        return pinned(source, target, pin, models, catalogue)
    found = candidates(source, target, models, catalogue)
    return found[0] if found else None


def pinned(source: str, target: str, names: Sequence[str], models: Mapping[str, TranslationModel],
           catalogue: Mapping[str, CatalogEntry]) -> Route:
    """A route named model by model: one model (direct) or two (through English)."""
    if len(names) not in (1, 2):
        raise AccessMediaError(f"the route for {target} names {len(names)} models", "name one model (direct) or two (through English)")
    legs = [(source, target)] if len(names) == 1 else [(source, PIVOT), (PIVOT, target)]
    chosen = []
    for name, (s, t) in zip(names, legs):
        model = models.get(name)
        if model is None:
            raise AccessMediaError(f"the route for {target} names {name}, which is not installed",
                                   f"install it (`accessmedia models install {name}` or `models add`), or change the route")
        if not model.covers(s, t):
            raise AccessMediaError(f"the route for {target} names {name}, which does not translate {s}->{t}",
                                   "`accessmedia models list --to " + target + "` shows what each model can do")
        chosen.append((model, s, t))
    return _route(source, target, chosen, catalogue, pinned=True)


def catalogue_models(catalogue: Mapping[str, CatalogEntry], installed: Mapping[str, TranslationModel]) -> dict[str, TranslationModel]:
    """The catalogue's translation models that are not installed, as if they were (for advice on what to install)."""
    from pathlib import Path

    out = {}
    for entry in catalogue.values():
        if entry.kind != "translate" or entry.name in installed:
            continue
        directions = frozenset(tuple(d.split("-", 1)) for d in entry.directions) or frozenset(
            (s, t) for s in entry.languages for t in entry.languages if s != t)
        out[entry.name] = TranslationModel(entry.name, entry.family, Path(), "", directions, entry.licence, entry.source)
    return out


def advice(source: str, target: str, current: Route | None, installed: Mapping[str, TranslationModel],
           catalogue: Mapping[str, CatalogEntry]) -> Route | None:
    """The route the catalogue's models would give (ranked as `best` ranks) if it needs models not installed yet
    and its published quality is higher than the current route's (or there is none)."""
    every = {**catalogue_models(catalogue, installed), **installed}
    top = next((r for r in candidates(source, target, every, catalogue) if r.quality is not None), None)
    if top is None or all(s.model.name in installed for s in top.steps):
        return None
    if current is not None and current.quality is not None and current.quality >= top.quality:
        return None
    return top
