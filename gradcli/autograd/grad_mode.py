"""Global autograd switches: grad mode (no_grad / enable_grad / set_grad_enabled) and anomaly mode."""
import functools


class _State:
    # One mutable holder so hot paths read a single attribute instead of calling a function.
    __slots__ = ("grad_enabled", "anomaly", "anomaly_check_nan", "saved_hooks", "saved_hooks_disabled", "inference",
                 "forward_trace")

    def __init__(self):
        self.grad_enabled = True
        self.anomaly = False
        self.anomaly_check_nan = True
        # anomaly mode's "where was this node made": None means Python's own stack; the .grad interpreter
        # installs a function returning its script's stack as traceback.format_list lines
        self.forward_trace = None
        self.saved_hooks = []  # (pack, unpack) pairs of saved_tensors_hooks; the innermost is last
        self.saved_hooks_disabled = None  # the message of disable_saved_tensors_hooks, when active
        self.inference = False  # inside inference_mode()


STATE = _State()


def is_grad_enabled():
    return STATE.grad_enabled


class _GradModeContext:
    """Base of the context managers: also usable as decorators, like torch's."""

    _target = True

    def __new__(cls, *args, **kwargs):
        # `@torch.no_grad` without parentheses: the function arrives as the only argument
        if cls in (no_grad, enable_grad) and len(args) == 1 and callable(args[0]) and not kwargs:
            return cls()(args[0])
        return super().__new__(cls)

    def __enter__(self):
        self._prev = STATE.grad_enabled
        STATE.grad_enabled = self._target

    def __exit__(self, *exc):
        STATE.grad_enabled = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__() if not isinstance(self, set_grad_enabled) else set_grad_enabled(self._target):
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):
    _target = False


class enable_grad(_GradModeContext):
    _target = True


class inference_mode(_GradModeContext):
    # gradcli has no separate inference tensors; inference mode is grad mode off.
    _target = False

    def __init__(self, mode=True):
        self._target = not mode
        self._mode = bool(mode)

    def __enter__(self):
        super().__enter__()
        self._prev_inference, STATE.inference = STATE.inference, self._mode

    def __exit__(self, *exc):
        STATE.inference = self._prev_inference
        return super().__exit__(*exc)


def is_inference_mode_enabled():
    return STATE.inference


class set_grad_enabled(_GradModeContext):
    """Sets grad mode at construction (torch does too), and restores it when used as a context."""

    def __init__(self, mode):
        self._prev = STATE.grad_enabled
        self._target = bool(mode)
        STATE.grad_enabled = self._target

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        STATE.grad_enabled = self._prev
        return False

    def __call__(self, fn):
        STATE.grad_enabled = self._prev
        mode = self._target

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper
