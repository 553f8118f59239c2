"""spoflint's four parts in C, all optional: without a compiler (or, for the first,
libyaml's headers) the install goes on without them, and spoflint does the same work in
Python alone, to the same output, slower.

- spoflint/load/_cevents.c: the YAML builder's common case, on libyaml;
- spoflint/_arenas.c: Python's object arenas on transparent huge pages, for the program;
- spoflint/analysis/_csweep.c: the single-failure sweep's loop;
- spoflint/analysis/_cnetwork.c: the network's walks of that sweep (BFS tree, low points, events).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("spoflint.load._cevents", ["spoflint/load/_cevents.c"], libraries=["yaml"], optional=True),
        Extension("spoflint._arenas", ["spoflint/_arenas.c"], optional=True),
        Extension("spoflint.analysis._csweep", ["spoflint/analysis/_csweep.c"], optional=True),
        Extension("spoflint.analysis._cnetwork", ["spoflint/analysis/_cnetwork.c"], optional=True),
    ]
)
