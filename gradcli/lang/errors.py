"""The language's errors: they live in gradcli/errors.py (one dependency-free hierarchy); re-exported here for
the language's own modules."""
from gradcli.errors import (GradError, GradImportError, GradLimitError, GradNameError, GradRuntimeError,
                            GradSyntaxError, GradTypeError, GradValueError)

__all__ = ["GradError", "GradSyntaxError", "GradNameError", "GradTypeError", "GradValueError",
           "GradRuntimeError", "GradLimitError", "GradImportError"]
