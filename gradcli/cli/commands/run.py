"""`gradcli run FILE|-`: run a .grad script, printing what torch would print; errors as file:line:col."""
from __future__ import annotations

import sys

import typer

from gradcli.lang.limits import Limits  # light: the language itself loads only when a script runs

_D = Limits()

EXAMPLES = """
Examples:

  gradcli run samples/tutorials/seed001_1_computational_graph.grad

  echo 'import torch; x = torch.tensor(3., requires_grad=True); (x * x).backward(); print(x.grad)' | gradcli run -

  gradcli run train.grad --max-steps 100000000 --detect-anomaly
"""


def register(app: typer.Typer, boundary) -> None:
    @app.command(epilog=EXAMPLES)
    @boundary
    def run(
        file: str = typer.Argument(..., help="The .grad script to run, or - to read it from standard input."),
        detect_anomaly: bool = typer.Option(False, "--detect-anomaly",
                                            help="Run under torch.autograd.detect_anomaly(): a NaN in backward "
                                                 "names the forward line that made it."),
        max_steps: int = typer.Option(_D.max_steps, min=1, help="Statements the script may execute."),
        max_loop_iterations: int = typer.Option(_D.max_loop_iterations, min=1,
                                                help="Iterations of all loops together."),
        max_call_depth: int = typer.Option(_D.max_call_depth, min=1, max=2000,
                                           help="Function calls active at once."),
        max_tensor_elements: int = typer.Option(_D.max_tensor_elements, min=1,
                                                help="Elements of one tensor, list or string (checked before "
                                                     "allocating)."),
        max_graph_nodes: int = typer.Option(_D.max_graph_nodes, min=1, help="Autograd nodes the script may create."),
        max_source_bytes: int = typer.Option(_D.max_source_bytes, min=1, help="Size of the script."),
    ):
        """Run a .grad script: PyTorch tutorial code, printing exactly what PyTorch prints.

        `import torch` gives gradcli's torch-shaped API; Python modules, files and the network are out of reach.

        A mistake in the script is reported as FILE:LINE:COL with the source line, and the exit code is 1.
        """
        from gradcli.lang import run_file, run_source

        limits = Limits(max_source_bytes=max_source_bytes, max_steps=max_steps,
                        max_loop_iterations=max_loop_iterations, max_call_depth=max_call_depth,
                        max_tensor_elements=max_tensor_elements, max_graph_nodes=max_graph_nodes)
        with _anomaly(detect_anomaly):
            if file == "-":
                run_source(sys.stdin.buffer.read(limits.max_source_bytes + 1), "<stdin>", limits=limits)
            else:
                run_file(file, limits=limits)


def _anomaly(on: bool):
    import contextlib
    import warnings

    if not on:
        return contextlib.nullcontext()
    from gradcli.autograd import detect_anomaly

    stack = contextlib.ExitStack()
    with warnings.catch_warnings():  # the "Anomaly Detection has been enabled" notice is for API users
        warnings.simplefilter("ignore")
        stack.enter_context(detect_anomaly())
    return stack
