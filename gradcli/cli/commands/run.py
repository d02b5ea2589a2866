"""`gradcli run FILE|-`: run a .grad script, printing what torch would print; errors as file:line:col."""
from __future__ import annotations

import sys

import typer

from gradcli.errors import GradError

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
        no_doctor: bool = typer.Option(False, "--no-doctor",
                                       help="On an autograd error, print only torch's message: no explanation, "
                                            "no fix, no re-runs of the script."),
        max_memory: int = L.MAX_MEMORY,
    ):
        """Run a .grad script: PyTorch tutorial code, printing exactly what PyTorch prints.

        `import torch` gives gradcli's torch-shaped API; Python modules, files and the network are out of reach.

        A mistake in the script is reported as FILE:LINE:COL with the source line, and the exit code is 1.
        When backward fails, torch's message comes first; then gradcli's autograd doctor says why in the
        script's own lines, gives the smallest fix, and re-runs the script with it to check that it works.
        """
        from gradcli.lang import run_file, run_source
        from gradcli.lang.process_limits import supervise

        limits = L.limits(max_steps, max_loop_iterations, max_call_depth, max_tensor_elements, max_graph_nodes,
                          max_source_bytes, max_seconds, max_memory)
        supervise(limits)  # from here on, a child process under the limits (SECURITY.md)
        source, name = (sys.stdin.buffer.read(limits.max_source_bytes + 1), "<stdin>") if file == "-" else (None, file)
        try:
            with _anomaly(detect_anomaly):
                result = run_file(file, limits=limits) if source is None else run_source(source, name, limits=limits)
        except GradError as e:
            if not no_doctor:
                _doctor(e, source, name, limits)
            raise
        if not no_doctor and result.warnings:
            _doctor_after(result.warnings, source, name, limits)


def _doctor_after(warnings, source, name, limits) -> None:
    """A run that ended but warned (a non-leaf's .grad read): the diagnosis after its output."""
    from gradcli.tools import doctor
    sys.stdout.flush()
    try:
        diagnosis = doctor.after_run(warnings, _read(source, name), name, limits=limits)
    except Exception:  # noqa: BLE001  (a bonus: the run itself succeeded)
        from gradcli.cli.options import OPTIONS
        if OPTIONS.debug:
            raise
        return
    if diagnosis is not None:
        typer.echo("\n".join(diagnosis.render() + ["(gradcli's autograd doctor; --no-doctor hides this)"]), err=True)


def _read(source, name):
    if source is not None:
        return source
    with open(name, "rb") as f:
        return f.read()


def _doctor(error, source, name, limits) -> None:
    from gradcli.tools import doctor
    if not doctor.applies(error):  # autograd errors only: no need to read the script again
        return
    try:
        doctor.attach(error, _read(source, name), name, limits=limits)
    except (GradError, OSError):  # the diagnosis is a bonus: it never replaces the error it explains
        pass
    except Exception:  # noqa: BLE001  (a doctor bug must not hide the user's error; --debug shows it)
        from gradcli.cli.options import OPTIONS
        if OPTIONS.debug:
            raise


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
