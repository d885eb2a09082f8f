"""What `accessmedia models list` shows: every catalogue model and every installed one, with where it is."""

from __future__ import annotations

from accessmedia.models import catalog
from accessmedia.models import translation as mt_models


def rows() -> list[dict]:
    """Every catalogue model and every installed one, with where it is, its licence, and whether the catalogue's
    hub repository was ever checked on its page (`confirmed`)."""
    installed = {(m.kind, m.name): m for m in catalog.installed()}
    translation = mt_models.installed()
    out = []
    for entry in catalog.catalog().values():
        m = installed.pop((entry.kind, entry.name), None)
        out.append({
            "name": entry.name, "kind": entry.kind, "default": entry.default, "installed": m is not None,
            "size_mb": entry.size_mb, "source": entry.source, "languages": list(entry.languages),
            "path": str(m.path) if m else None, "description": entry.description, "licence": entry.licence,
            "engine": mt_models.FAMILIES.get(entry.family, ""), "format": entry.format, "confirmed": entry.confirmed,
        })
    for (kind, name), m in installed.items():
        if m is None:
            continue
        t = translation.get(name) if kind == "translate" else None
        out.append({"name": name, "kind": kind, "default": False, "installed": True, "size_mb": None,
                    "source": m.source, "languages": sorted({c for d in t.directions for c in d}) if t else [], "path": str(m.path),
                    "description": f"{t.engine}, {len(t.directions)} directions" if t else "added from a folder",
                    "licence": t.licence if t else "", "engine": t.engine if t else "", "format": "", "confirmed": True})
    return out
