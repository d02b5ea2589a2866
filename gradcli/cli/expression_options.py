"""The one-liner options, declared once for every command that evaluates an expression (grad, diff, explain,
check, graph), as limits.py does for --max-*: the same flag reads the same in every command's --help."""
from __future__ import annotations

import typer

_EXPR_HELP = ("A one-liner: `y=(x+w)*(w+1)`, several statements separated by ';', or an expression. "
              "Free names become the variables.")
_AT_HELP = "A variable's value: x=2, x=[1,2,3], A=randn(3,3). Repeat for each variable."
_WRT_HELP = "Only these variables, comma-separated: w,x."
_SEED_HELP = "Seed for the variables not given with --at (and for randn in the expression)."

EXPR = typer.Argument(..., metavar="EXPR", help=_EXPR_HELP)
AT = typer.Option(None, "--at", help=_AT_HELP)
WRT = typer.Option(None, "--wrt", help=_WRT_HELP)
SEED = typer.Option(0, "--seed", help=_SEED_HELP)

# commands that take an expression or a script file: the expression's options say so
AT_FOR_EXPR = typer.Option(None, "--at", help="EXPR: " + _AT_HELP)
WRT_FOR_EXPR = typer.Option(None, "--wrt", help="EXPR: " + _WRT_HELP)
SEED_FOR_EXPR = typer.Option(0, "--seed", help="EXPR: " + _SEED_HELP)
