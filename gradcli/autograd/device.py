"""torch.device and torch.cuda for a CPU-only engine: devices parse and compare like torch's, and
asking for CUDA fails with the error a CPU build of torch raises."""

# the device types torch's parser accepts, in the order its error lists them
_TYPES = ("cpu cuda ipu xpu mkldnn opengl opencl ideep hip ve fpga maia xla lazy vulkan mps meta hpu mtia "
          "privateuseone").split()
NO_CUDA = "Torch not compiled with CUDA enabled"
NO_ACCELERATOR = "Cannot access accelerator device when none is available."


class device:  # noqa: N801  (torch's class name)
    """A device: `type` ('cpu', 'cuda', ...) and an optional `index`."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):  # noqa: A002  (torch's parameter name)
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):
            raise RuntimeError(NO_ACCELERATOR)  # a bare index means "the accelerator", and there is none
        elif isinstance(type, str):
            type, index = _parse(type, index)
        else:
            raise TypeError(f"device() received an invalid combination of arguments - got ({_tname(type)})")
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "index", index)

    def __setattr__(self, name, value):
        raise AttributeError(f"attribute '{name}' of 'torch.device' objects is not writable")

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        # like torch: a device never equals a string, only another device
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))

    # `with torch.device(...):` makes it the default device of creation functions inside the block
    def __enter__(self):
        _STACK.append(_DEFAULT[0])
        _DEFAULT[0] = self
        return self

    def __exit__(self, *exc):
        _DEFAULT[0] = _STACK.pop()


def _tname(x):
    return type(x).__name__


def _parse(text, index):
    kind, sep, idx = text.partition(":")
    if kind not in _TYPES:
        raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of device string: {text}")
    if sep:
        if not idx.isdigit() or (len(idx) > 1 and idx[0] == "0") or index is not None:
            raise RuntimeError(f"Invalid device string: '{text}'")
        index = int(idx)
    if index is not None and (not isinstance(index, int) or index < 0):
        raise RuntimeError(f"Device index must not be negative")
    return kind, index


CPU = device("cpu")


def as_device(d):
    """A device argument (device, str, int or None) as a device; None stays None."""
    if d is None or isinstance(d, device):
        return d
    return device(d)


def check_device(d):
    """Refuse what this CPU-only build cannot do, with torch's (CPU build's) errors; return the device."""
    d = as_device(d)
    if d is None or d.type == "cpu":
        return d
    if d.type == "cuda":
        raise AssertionError(NO_CUDA)
    if d.type == "meta":  # torch has shape-only meta tensors; gradcli's tensors always hold data
        raise RuntimeError("gradcli has no meta tensors: every tensor lives on the cpu")
    raise RuntimeError(f"PyTorch is not linked with support for {d.type} devices")


_DEFAULT = [None]  # torch.set_default_device: where creation functions put tensors when not told
_STACK = []  # the defaults that `with device:` blocks replaced


def set_default_device(d):
    _DEFAULT[0] = as_device(d)


def get_default_device():
    return _DEFAULT[0] or CPU


def creation_device(d):
    """A creation function's device= (or the default device) checked: only the cpu exists."""
    return check_device(d if d is not None else _DEFAULT[0])


# ---- torch.cuda ---------------------------------------------------------------------------------------
def is_available():
    return False


def device_count():
    return 0


def is_initialized():
    return False


def current_device():
    raise AssertionError(NO_CUDA)


def manual_seed(seed):
    """Seeding CUDA without CUDA is a silent no-op in torch (tutorials call it unconditionally)."""


manual_seed_all = manual_seed


def synchronize(device=None):
    raise AssertionError(NO_CUDA)


def empty_cache():
    """Nothing is cached without CUDA."""


# ---- torch.accelerator: there is none --------------------------------------------------------------------
def current_accelerator(check_available=False):
    return None


def accelerator_device_count():
    return 0
