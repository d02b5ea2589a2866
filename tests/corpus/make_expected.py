"""Write (or, with --check, verify) the golden output of every corpus program by running it under real
torch 2.13: the machinery of tests/golden/make_expected.py (a fresh interpreter per program, PYTHONHASHSEED=0,
one torch thread, addresses masked), with tests/corpus/programs/*.py as the default paths.

    python tests/corpus/make_expected.py                       # rewrite every .out/.err
    python tests/corpus/make_expected.py --check               # compare only
    python tests/corpus/make_expected.py tests/corpus/programs/pt_blitz_autograd_intro.py
"""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[0] / "golden"))

import make_expected as golden  # noqa: E402  (tests/golden/make_expected.py)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not any(a.endswith(".py") for a in argv):
        argv += [str(p) for p in sorted((HERE / "programs").glob("*.py"))]
    return golden.main(argv)


if __name__ == "__main__":
    sys.exit(main())
