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
    outs = node.apply(grads)
    if STATE.anomaly_check_nan:
        for i, g in enumerate(outs):
            if g is not None and g._data.dtype.kind == "f" and np.isnan(g._data).any():
                trace = (node._x or {}).get("trace")
                name = node.name()
                if trace:
                    warnings.warn(f"Error detected in {name}. Traceback of forward call that caused the error:\n"
                                  + "".join(trace), UserWarning, stacklevel=2)
                raise RuntimeError(f"Function '{name}' returned nan values in its {i}th output.")
    return outs
