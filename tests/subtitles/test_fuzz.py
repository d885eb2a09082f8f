"""Fuzzing what people type: style profile files, and every command's options given out-of-range or
malformed values. Never a traceback: a one-line error, exit status 1 or 2, and nothing written."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from accessmedia.subtitles import style
from accessmedia.cli import main
from accessmedia.core.errors import AccessMediaError
from accessmedia.pipeline.settings import Styles

from ..conftest import SAMPLE

FIELDS = sorted({f for f in style._SCALARS} | {"languages"})


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value == math.inf else "-inf" if value == -math.inf else repr(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)


scalars = st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
                    st.text(max_size=8), st.lists(st.text(max_size=5), max_size=3))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(FIELDS[:-1]), scalars, max_size=5),
       st.one_of(st.none(), scalars, st.dictionaries(st.sampled_from(["break_before", "no_break_after"]), scalars, max_size=2)))
def test_style_reader_takes_any_file_or_names_what_is_wrong(tmp_path, fields, words):
    lines = [f"{k} = {toml_value(v)}" for k, v in fields.items()]
    if isinstance(words, dict):
        lines += ["[languages.nb]", *(f"{k} = {toml_value(v)}" for k, v in words.items())]
    elif words is not None:
        lines.insert(0, f"languages = {toml_value(words)}")
    path = tmp_path / "stil.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        profile = Styles.read(path).profile("nb")
    except AccessMediaError as exc:
        assert "stil.toml" in exc.one_line() and "\n" not in exc.one_line()
        return
    for name, lowest, inclusive in style._RANGES:  # what it accepted is usable
        value = getattr(profile, name)
        assert math.isfinite(value) and (value >= lowest if inclusive else value > lowest)
    assert profile.min_duration < profile.max_duration


@pytest.mark.parametrize("text, field", [
    ("fps = 0", "fps"), ("max_cps = 0", "max_cps"), ("max_cps = -5", "max_cps"), ("max_cps = nan", "max_cps"),
    ("max_duration = inf", "max_duration"), ("max_lines = 0", "max_lines"), ("min_duration = 8.0", "min_duration"),
    ("[languages.nb]\nbreak_before = \"og\"", "languages.nb.break_before"),
])
def test_out_of_range_style_values_are_refused_naming_the_field_and_file(tmp_path, text, field):
    path = tmp_path / "stil.toml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(AccessMediaError) as caught:
        Styles.read(path)
    assert f"stil.toml: style field '{field}'" in caught.value.one_line()


# -- every verb's options --------------------------------------------------------------------------

def _verbs(tmp: Path) -> dict[str, list[str]]:
    """Each verb with arguments that are fine, so that only the fuzzed option can be wrong."""
    srt = tmp / "tale.nb.srt"
    return {
        "transcribe": ["transcribe", str(SAMPLE), "-o", str(tmp / "out")],
        "process": ["process", str(SAMPLE), "-o", str(tmp / "out")],
        "translate": ["translate", str(srt), "--to", "en", "-o", str(tmp / "out")],
        "check": ["check", str(srt)],
        "package": ["package", str(SAMPLE), "--subs", str(tmp), "-o", str(tmp / "out")],
        "cues": ["cues", str(tmp / "tale.transcript.json"), "-o", str(tmp / "out")],
        "review": ["review", str(tmp)],
        "restore": ["restore", str(tmp), "--name", "tale", "--lang", "nb"],
        "kit export": ["kit", "export", "--project", str(tmp), "--name", "tale"],
    }


OPTIONS = [  # (verb, option, values that are never valid)
    ("transcribe", "--beam-size", st.one_of(st.integers(max_value=0), st.integers(min_value=21), st.text(max_size=4))),
    ("transcribe", "--threads", st.one_of(st.integers(max_value=-1), st.integers(min_value=257))),
    ("transcribe", "--audio-track", st.one_of(st.integers(max_value=0), st.integers(min_value=65))),
    ("transcribe", "--device", st.text(min_size=1, max_size=6).filter(lambda t: t not in ("cpu", "cuda", "auto"))),
    ("transcribe", "--language", st.text(alphabet="xyzq", min_size=1, max_size=4)),
    ("process", "--beam-size", st.integers(min_value=21)),
    ("process", "--workers", st.integers(max_value=0)),
    ("process", "--threads", st.integers(max_value=-1)),
    ("process", "--audio-track", st.integers(min_value=2, max_value=64)),  # the sample has one track
    ("process", "--to", st.text(alphabet="xyzq", min_size=1, max_size=4)),
    ("process", "--executor", st.text(min_size=1, max_size=5).filter(lambda t: t not in ("local", "ray"))),
    ("translate", "--beam-size", st.one_of(st.integers(max_value=0), st.integers(min_value=11))),
    ("translate", "--to", st.text(alphabet="xyzq", min_size=1, max_size=4)),
    ("check", "--language", st.text(alphabet="xyzq", min_size=1, max_size=4)),
    ("package", "--ladder", st.text(alphabet="abc,-", min_size=1, max_size=6)),
    ("package", "--langs", st.text(alphabet="xyzq", min_size=1, max_size=4)),
    ("package", "--burn", st.text(alphabet="xyzq", min_size=1, max_size=4)),
    ("review", "--port", st.one_of(st.integers(max_value=0), st.integers(min_value=65536))),
    ("restore", "--revision", st.one_of(st.integers(min_value=1), st.text(alphabet="abc", min_size=1, max_size=3))),
    ("kit export", "--lang", st.text(alphabet="xyzq", min_size=1, max_size=4)),
]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    from accessmedia.core.transcript import Transcript

    tmp = tmp_path_factory.mktemp("fuzz")
    (tmp / "tale.nb.srt").write_text("1\n00:00:01,000 --> 00:00:02,500\nHei.\n", encoding="utf-8")
    (tmp / "tale.transcript.json").write_text(Transcript("nb", 30.0, ()).to_json(), encoding="utf-8")
    return tmp


def _snapshot(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")}


@pytest.mark.parametrize("verb, option, values", OPTIONS, ids=[f"{v} {o}" for v, o, _ in OPTIONS])
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_out_of_range_options_are_one_line_and_write_nothing(workdir, verb, option, values, data):
    value = data.draw(values)
    before = _snapshot(workdir)
    result = CliRunner().invoke(main, [*_verbs(workdir)[verb], option, str(value)])
    assert result.exit_code in (1, 2), (verb, option, value, result.output, result.exception)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert _snapshot(workdir) == before, f"{verb} {option} {value!r} wrote something"
