"""Anomaly detection: record each node's forward call site; NaN in a backward output raises torch's error."""
import warnings

import numpy as np

from .grad_mode import STATE

ENABLED_WARNING = ("Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
                   "enabled for debugging.")


class detect_anomaly:  # noqa: N801
    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        warnings.warn(ENABLED_WARNING, UserWarning, stacklevel=2)

    def __enter__(self):
        self._prev = (STATE.anomaly, STATE.anomaly_check_nan)
        STATE.anomaly, STATE.anomaly_check_nan = True, self.check_nan

    def __exit__(self, *exc):
        STATE.anomaly, STATE.anomaly_check_nan = self._prev
        return False


class set_detect_anomaly:  # noqa: N801
    def __init__(self, mode, check_nan=True):
        self._prev = (STATE.anomaly, STATE.anomaly_check_nan)
        STATE.anomaly, STATE.anomaly_check_nan = bool(mode), check_nan

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        STATE.anomaly, STATE.anomaly_check_nan = self._prev
        return False


def is_anomaly_enabled():
    return STATE.anomaly


def checked_call(node, grads):
    """A node's backward under anomaly mode: any error, or NaN in an output when check_nan, first warns
    with the forward call that made the node (torch's "Error detected in ..." warning)."""
    try:
        outs = node.apply(grads)
    except Exception:
        _warn_forward(node)
        raise
    if STATE.anomaly_check_nan:
        for i, g in enumerate(outs):
            if g is not None and g._data.dtype.kind == "f" and np.isnan(g._data).any():
                _warn_forward(node)
                raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
    return outs


def _warn_forward(node):
    trace = (node._x or {}).get("trace")
    if trace:
        text = "Traceback of forward call that caused the error:\n" + "".join(trace)
    else:
        text = "No forward pass information available. Enable detect anomaly during forward pass for more information."
    warnings.warn(f"Error detected in {node.name()}. {text}", UserWarning, stacklevel=3)
