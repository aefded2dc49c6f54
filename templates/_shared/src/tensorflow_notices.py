"""TensorFlow's start-up notices, kept out of the commands' output.

Importing TensorFlow writes, from C++ and whatever the log level, two lines per native library it
loads: absl's "All log messages before absl::InitializeLog() ..." and "oneDNN custom operations
are on ...". The oneDNN kernels are what makes TensorFlow fast on a CPU (2-3x for convolutions),
so they stay on; their notice is dropped instead, so that an error stays one line. Only the
import is watched: the native error stream is captured while `tensorflow` first executes, and
everything it wrote except those notices is written back.

`install()` runs when the package is imported, before anything imports TensorFlow, and costs
nothing until (and unless) TensorFlow is imported.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
import tempfile
from contextlib import contextmanager

NOTICES = (b"oneDNN custom operations are on", b"before absl::InitializeLog() is called")


@contextmanager
def _native_stderr_without_notices():
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            kept = [line for line in captured if not any(n in line for n in NOTICES)]
            if kept:
                os.write(2, b"".join(kept))


class _QuietLoader(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        # The module keeps TensorFlow's own loader, which its package data lookups expect.
        module.__loader__ = module.__spec__.loader = self.loader
        with _native_stderr_without_notices():
            self.loader.exec_module(module)


class _QuietTensorFlow(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "tensorflow":
            return None
        sys.meta_path.remove(self)  # once: later imports find it in sys.modules
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


def install() -> None:
    if "tensorflow" not in sys.modules and not any(
        isinstance(finder, _QuietTensorFlow) for finder in sys.meta_path
    ):
        sys.meta_path.insert(0, _QuietTensorFlow())
