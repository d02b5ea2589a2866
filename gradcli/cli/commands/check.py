"""`gradcli check EXPR|FILE`: finite-difference gradcheck (--order 2: gradgradcheck), analytic vs numeric per input."""
from __future__ import annotations

import os
from typing import List, Optional

import typer

from .. import expression_options as O

# \b: click keeps the lines of that paragraph as they are (no re-wrapping of the commands)
EXAMPLES = """
Examples:

\b
  gradcli check "y = x*x*w" --at x=2 --at w=3
  gradcli check "sum(tanh(A@x))" --at "A=randn(2,2)" --at "x=[1,2]" --order 2
  gradcli check samples/cli/square_functions.grad --order 2
  gradcli check samples/cli/square_functions.grad --fn SquareWrong.apply
  gradcli check "sin(x)" --at x=0.5 --report

A FILE is checked as gradcheck(f, inputs) with f and inputs taken from the script's globals
(--fn and --inputs name others). Exit code: 0 every Jacobian matches, 1 a mismatch or an error in
the expression or script, 2 a bad option.
"""


def register(app: typer.Typer, boundary) -> None:
    @app.command(epilog=EXAMPLES)
    @boundary
    def check(
        target: str = typer.Argument(..., metavar="EXPR|FILE",
                                     help="A one-liner such as `y = x*x*w` (free names are the inputs), or a "
                                          ".grad script defining the function and its inputs."),
        at: Optional[List[str]] = O.AT_FOR_EXPR,
        wrt: Optional[str] = O.WRT_FOR_EXPR,
        seed: int = O.SEED_FOR_EXPR,
        fn: str = typer.Option("f", "--fn", help="FILE: the function to check, a name or expression in the "
                                                 "script (e.g. MyFunction.apply)."),
        inputs: str = typer.Option("inputs", "--inputs", help="FILE: its inputs: a tensor or tuple of tensors "
                                                              "in the script, e.g. inputs or \"(x, w)\"; those "
                                                              "with requires_grad are checked."),
        order: int = typer.Option(1, "--order", min=1, max=2, help="1: gradcheck; 2: gradgradcheck (the "
                                                                   "derivatives of the gradient)."),
        eps: float = typer.Option(1e-6, "--eps", min=0, help="Finite-difference step."),
        atol: float = typer.Option(1e-5, "--atol", min=0, help="Absolute tolerance."),
        rtol: float = typer.Option(1e-3, "--rtol", min=0, help="Relative tolerance."),
        report: bool = typer.Option(False, "--report", help="Also sweep the step size (1e-1 ... 1e-12) on each "
                                                           "Jacobian's worst entry, in float64 and float32, and "
                                                           "say whether rounding or the backward is at fault."),
    ):
        """Compare analytic gradients with central finite differences, in float64, as torch.autograd.gradcheck.

        Each row is one Jacobian (output x input): the entry that differs most, and the largest absolute
        and relative errors. A row passes when allclose(analytic, numeric, rtol, atol) holds, gradcheck's test.
        """
        from gradcli.errors import GradError
        from gradcli.tools.check import check_expression, check_file
        from gradcli.tools.expression import OptionError, parse_at

        from ..render import emit
        from ..renderers.check import mismatch_message, render

        if eps <= 0:
            raise OptionError("--eps must be positive")
        if not target.strip():
            raise GradError('nothing to check: give an expression such as "y = x*x" or a .grad file')
        # os.path, not Path: a 10,000-character expression is no file name, not an OSError (too long)
        if target.endswith(".grad") or os.path.exists(target):
            if at or wrt:
                raise OptionError("--at and --wrt are for an expression; a script makes its own inputs")
            if os.path.isdir(target):
                raise GradError(f"cannot read {target}: it is a directory")
            report = check_file(target, fn, inputs, order, eps, atol, rtol, report=report)
        else:
            names = [n.strip() for n in wrt.split(",") if n.strip()] if wrt else None
            report = check_expression(target, parse_at(at), names, seed, order, eps, atol, rtol, report=report)
        emit("check", report, render)
        if not report.ok:
            raise GradError(mismatch_message(report))
