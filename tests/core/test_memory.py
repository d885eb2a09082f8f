"""The heap of a command that runs for hours: what it freed goes back to the system, even between blocks in use."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from ..conftest import ROOT

PROGRAM = textwrap.dedent("""
    import numpy as np
    from accessmedia.core.memory import give_back_memory

    def rss():
        return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20

    block = np.ones(1_500_000 // 8)
    del block  # a large block freed: glibc now keeps the next ones of that size in its heap, not mapped on their own
    base = rss()
    large, small = [], []
    for _ in range(100):
        large.append(np.ones(1_500_000 // 8))  # 150 MB in all, as a long session's windows come and go
        small.append(bytearray(4000))  # and a small block after each, still in use: the heap cannot shrink from its end
    del large
    held = rss() - base
    give_back_memory()
    print(round(held, 1), round(rss() - base, 1))
""")


def test_memory_freed_between_blocks_still_in_use_goes_back_to_the_system():
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, cwd=ROOT, check=True)
    held, after = map(float, done.stdout.split())
    assert held > 100  # freed, but held by the process (143 MB here)
    assert after < 10  # given back (0.3 MB here)
