"""`python -m bench speed [options]` (bench/speed.py) or `python -m bench relevance`
(bench/relevance/run.py)."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
USAGE = "usage: python -m bench speed [--sizes 5000,20000] [--quick] [--out FILE] | relevance"


def main(argv: list[str]) -> None:
    if argv[:1] == ["speed"]:
        from bench import speed

        speed.main(argv[1:])
    elif argv[:1] == ["relevance"]:
        sys.argv = [str(HERE / "relevance" / "run.py"), *argv[1:]]
        runpy.run_path(sys.argv[0], run_name="__main__")
    else:
        raise SystemExit(USAGE)


if __name__ == "__main__":
    main(sys.argv[1:])
