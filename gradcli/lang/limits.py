"""The resource limits of a run and their defaults; imports nothing, so the command line can show the
defaults in --help without loading the language."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Limits"]


@dataclass(frozen=True)
class Limits:
    """Resource limits of one run; each exceeded limit is a GradLimitError naming it."""

    max_source_bytes: int = 1_000_000
    max_steps: int = 20_000_000  # statements executed
    max_loop_iterations: int = 5_000_000  # iterations of all loops and comprehensions together
    max_call_depth: int = 200  # script function calls active at once
    max_tensor_elements: int = 50_000_000  # elements of one tensor (or list, string), checked up front
    max_graph_nodes: int = 10_000_000  # autograd nodes created during the run
    max_seconds: float = 60.0  # wall-clock time of one run (each REPL input), loops inside builtins included
    max_memory: int = 4096  # MB of address space the run may add to the process (set by the command line)
