"""The house's rooms and the order between them (README, "Rooms"), held here: every import in accessmedia/
(at the top of a module or inside a function) is read with `ast`, and each must go down the order, never up
or sideways; libraries that belong to one edge are imported only there; nothing prints outside the edges."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "accessmedia"

# lowest first: a room may import its own modules and those of rooms on a lower line, never a room on its
# own line (siblings are independent) or above it
ORDER = (
    ("core",),
    ("models",),
    ("recognition", "speakers", "subtitles"),
    ("translation",),
    ("packaging",),
    ("pipeline",),
    ("editing",),
    ("runs", "live"),
    ("api",),
    ("web", "cli"),
)
LEVEL = {room: n for n, line in enumerate(ORDER) for room in line}
EDGES = {"web": {"api"}, "cli": {"api", "web"}}  # they reach the library through api alone (the cli starts the web apps)
ONLY_IN = {"click": {"cli"}, "starlette": {"web"}, "uvicorn": {"web"}, "rich": {"cli"}}


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def room_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None  # "accessmedia" itself (its version) has no room


def imports_of(module: str, path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import in the file, relative ones made absolute."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            names = [f"{base}.{a.name}" for a in node.names]
            known = modules()
            found += [(node.lineno, n if n in known else base) for n in names]
    return found


def test_every_module_lives_in_a_room():
    loose = [m for m in modules() if m.count(".") == 1 and room_of(m) not in LEVEL and m != "accessmedia.__init__"]
    assert loose == [], f"modules outside every room: {loose}"
    assert set(LEVEL) - {"api"} <= {m.split(".")[1] for m in modules() if m.count(".") >= 1}


def test_imports_go_down_the_order_of_rooms():
    wrong = []
    for module, path in modules().items():
        room = room_of(module)
        if room is None:
            continue
        for line, target in imports_of(module, path):
            if not target.startswith("accessmedia"):
                continue
            other = room_of(target)
            if other is None or other == room:
                continue  # the package's version, or its own room
            if room in EDGES and other not in EDGES[room]:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}: {room}/ goes through api")
            elif room not in EDGES and LEVEL[other] >= LEVEL[room]:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}: {other}/ is not below {room}/")
    assert wrong == [], "\n".join(wrong)


def test_edge_libraries_only_at_their_edge():
    wrong = []
    for module, path in modules().items():
        for line, target in imports_of(module, path):
            allowed = ONLY_IN.get(target.split(".")[0])
            if allowed is not None and room_of(module) not in allowed:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target} (only in {', '.join(sorted(allowed))}/)")
    assert wrong == [], "\n".join(wrong)


def test_nothing_prints_outside_the_edges():
    wrong = []
    for module, path in modules().items():
        if room_of(module) in EDGES:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                f = node.func
                if isinstance(f, ast.Name) and f.id in ("print", "input"):
                    wrong.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} calls {f.id}()")
                elif isinstance(f, ast.Attribute) and f.attr == "write" and isinstance(f.value, ast.Attribute) \
                        and isinstance(f.value.value, ast.Name) and f.value.value.id == "sys" and f.value.attr in ("stdout", "stderr"):
                    wrong.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} writes to sys.{f.value.attr}")
    assert wrong == [], "\n".join(wrong)


def test_no_import_cycle_between_modules():
    known = modules()
    graph = {m: {t for _, t in imports_of(m, p) if t in known and t != m} for m, p in known.items()}
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for dep in sorted(graph.get(module, ())):
            if state.get(dep) == "open":
                raise AssertionError("import cycle: " + " -> ".join(path[path.index(dep):] + [dep]))
            if dep not in state:
                visit(dep, path + [dep])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_no_module_is_long():
    lengths = {str(p.relative_to(PACKAGE)): len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.rglob("*.py")}
    assert max(lengths.values()) <= 400, sorted(lengths.items(), key=lambda kv: -kv[1])[:3]


def test_each_room_states_its_face():
    """Each room's __init__ names what other rooms may use (__all__), and every name in it exists."""
    import importlib

    for room in LEVEL:
        if room == "api":
            continue
        package = importlib.import_module(f"accessmedia.{room}")
        face = getattr(package, "__all__", None)
        assert face is not None, f"accessmedia/{room}/__init__.py has no __all__"
        missing = [n for n in face if not hasattr(package, n)]
        assert missing == [], f"{room}: __all__ names what it does not have: {missing}"
        # a name of the face that is also a module's name would hide the module: `from accessmedia.runs import process`
        modules_here = {p.stem for p in (PACKAGE / room).glob("*.py")} | {p.name for p in (PACKAGE / room).iterdir() if p.is_dir()}
        hiding = sorted(set(face) & modules_here)
        assert hiding == [], f"{room}: __all__ names {hiding}, which hide modules of the same name"


@pytest.mark.parametrize("wrong, expected", [
    ("from accessmedia.runs import process\n", "is not below"),
    ("import click\n", "only in cli/"),
])
def test_the_order_test_finds_a_wrong_import(tmp_path, monkeypatch, wrong, expected):
    """The checks above can fail: a core module that imports a higher room, or click, is caught."""
    fake = tmp_path / "accessmedia"
    (fake / "core").mkdir(parents=True)
    (fake / "runs").mkdir()
    for p in (fake / "__init__.py", fake / "core" / "__init__.py", fake / "runs" / "__init__.py", fake / "runs" / "process.py"):
        p.write_text("", encoding="utf-8")
    (fake / "core" / "bad.py").write_text(wrong, encoding="utf-8")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake, raising=False)
    monkeypatch.setitem(globals(), "PACKAGE", fake)
    with pytest.raises(AssertionError, match=expected):
        test_imports_go_down_the_order_of_rooms() if "below" in expected else test_edge_libraries_only_at_their_edge()
