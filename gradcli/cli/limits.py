"""The --max-* options, declared once for every command that runs the language (run, grad, repl): the limit
messages name these flags, so each command that can hit a limit takes them all."""
from __future__ import annotations

import typer

from gradcli.lang.limits import Limits  # light: the language itself loads only when a command runs it

_D = Limits()

MAX_STEPS = typer.Option(_D.max_steps, "--max-steps", min=1, help="Statements the script may execute.")
MAX_LOOP_ITERATIONS = typer.Option(_D.max_loop_iterations, "--max-loop-iterations", min=1,
                                   help="Iterations of all loops together.")
MAX_CALL_DEPTH = typer.Option(_D.max_call_depth, "--max-call-depth", min=1, max=2000,
                              help="Function calls active at once.")
MAX_TENSOR_ELEMENTS = typer.Option(_D.max_tensor_elements, "--max-tensor-elements", min=1,
                                   help="Elements of one tensor, list or string (checked before allocating).")
MAX_GRAPH_NODES = typer.Option(_D.max_graph_nodes, "--max-graph-nodes", min=1,
                               help="Autograd nodes the script may create.")
MAX_SOURCE_BYTES = typer.Option(_D.max_source_bytes, "--max-source-bytes", min=1, help="Size of the script.")
MAX_SECONDS = typer.Option(_D.max_seconds, "--max-seconds", min=0.1, max=86400.0,
                           help="Wall-clock seconds a run may take (each input, in the REPL).")
MAX_MEMORY = typer.Option(_D.max_memory, "--max-memory", min=64, max=1_048_576,
                          help="Megabytes of memory a run may add to the process (and of any output file).")


def limits(max_steps: int, max_loop_iterations: int, max_call_depth: int, max_tensor_elements: int,
           max_graph_nodes: int, max_source_bytes: int = _D.max_source_bytes, max_seconds: float = _D.max_seconds,
           max_memory: int = _D.max_memory) -> Limits:
    return Limits(max_source_bytes=max_source_bytes, max_steps=max_steps, max_loop_iterations=max_loop_iterations,
                  max_call_depth=max_call_depth, max_tensor_elements=max_tensor_elements,
                  max_graph_nodes=max_graph_nodes, max_seconds=max_seconds, max_memory=max_memory)
