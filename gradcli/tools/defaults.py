"""Defaults the command line shows in --help, kept apart so that reading them imports nothing heavy."""

DEFAULT_MAX_NODES = 400  # gradcli graph: nodes drawn (breadth-first) before the rest is marked "not shown"
DEFAULT_MAX_DEPTH = 40  # gradcli graph: edges from the root drawn
