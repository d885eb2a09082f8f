"""The heap of a command that runs for hours: large blocks go back to the system when freed, not only when trimmed."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from ..conftest import ROOT

PROGRAM = textwrap.dedent("""
    import sys
    import numpy as np
    from accessmedia.core.memory import keep_heap_small

    def rss():
        return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20

    if sys.argv[1] == "kept small":
        assert keep_heap_small()
    block = np.ones(1_500_000 // 8)
    del block  # a large block freed: glibc would map the next ones of that size in its heap
    base = rss()
    large, small = [], []
    for _ in range(100):
        large.append(np.ones(1_500_000 // 8))  # 150 MB in all, as a long session's windows come and go
        small.append(bytearray(4000))  # and a small block after each, still in use
    del large
    print(round(rss() - base, 1))
""")


def _held_after_freeing(mode: str) -> float:
    done = subprocess.run([sys.executable, "-c", PROGRAM, mode], capture_output=True, text=True, cwd=ROOT, check=True)
    return float(done.stdout.strip())


def test_large_blocks_freed_in_a_session_go_back_to_the_system():
    assert _held_after_freeing("as glibc has it") > 100  # pinned by the small blocks between them
    assert _held_after_freeing("kept small") < 10
