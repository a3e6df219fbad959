"""``python -m benchmarks NAME [options]``: run the benchmark module ``benchmarks.NAME``.

Each benchmark is a module with ``main(argv) -> int`` that prints a readable table and, as its
last line, ``RESULT {json}``.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def available() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.iter_modules([str(Path(__file__).parent)])
        if not info.name.startswith("_")
    )


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        print("\nAvailable: " + ", ".join(available()))
        return 0 if argv else 2
    name = argv[0]
    if name not in available():
        print(f"No benchmark called {name!r}. Available: {', '.join(available())}", file=sys.stderr)
        return 2
    module = importlib.import_module(f"benchmarks.{name}")
    if not hasattr(module, "main"):
        print(
            f"benchmarks.{name} is a helper module, not a benchmark (it has no main).",
            file=sys.stderr,
        )
        return 2
    return module.main(argv[1:]) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
