"""`gradcli run FILE|-`: run a .grad script, printing what torch would print; errors as file:line:col."""
from __future__ import annotations

import sys

import typer

from .. import limits as L

EXAMPLES = """
Examples:

\b
  gradcli run samples/tutorials/seed001_1_computational_graph.grad
  echo 'import torch; print(torch.ones(2) * 3)' | gradcli run -
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
        max_steps: int = L.MAX_STEPS,
        max_loop_iterations: int = L.MAX_LOOP_ITERATIONS,
        max_call_depth: int = L.MAX_CALL_DEPTH,
        max_tensor_elements: int = L.MAX_TENSOR_ELEMENTS,
        max_graph_nodes: int = L.MAX_GRAPH_NODES,
        max_source_bytes: int = L.MAX_SOURCE_BYTES,
        max_seconds: float = L.MAX_SECONDS,
        max_memory: int = L.MAX_MEMORY,
    ):
        """Run a .grad script: PyTorch tutorial code, printing exactly what PyTorch prints.

        `import torch` gives gradcli's torch-shaped API; Python modules, files and the network are out of reach.

        A mistake in the script is reported as FILE:LINE:COL with the source line, and the exit code is 1.
        """
        from gradcli.lang import run_file, run_source
        from gradcli.lang.process_limits import supervise

        limits = L.limits(max_steps, max_loop_iterations, max_call_depth, max_tensor_elements, max_graph_nodes,
                          max_source_bytes, max_seconds, max_memory)
        supervise(limits)  # from here on, a child process under the limits (SECURITY.md)
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
