"""Tune glibc's malloc once big tensors appear, so arrays freed by one backward are reused by the next."""
import os

# glibc serves an allocation this size or larger from a fresh mmap, and gives the top of its heap back to the
# system once this much of it is free. Its defaults adapt to about 4 MB and 8 MB after the first big free, so
# a backward over 1e6-element float32 tensors (a handful of 4 MB temporaries) shrank the heap at the end of
# every call and page-faulted all of it in again on the next: 4x the time of the arithmetic (W5 in bench/).
MMAP_THRESHOLD = 32 << 20  # glibc's own ceiling for its adaptive threshold
TRIM_THRESHOLD = 128 << 20  # freed heap kept for reuse; allocations above MMAP_THRESHOLD are unaffected
BIG = 1 << 18  # elements: below this nothing reaches malloc's thresholds

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_state = []  # [result] once tried


def tune():
    """Set the thresholds (first call only; a no-op off glibc or with GRADCLI_NO_MALLOC_TUNING set).
    Returns True if they were set in this process."""
    if _state:
        return _state[0]
    _state.append(False)
    if os.environ.get("GRADCLI_NO_MALLOC_TUNING"):
        return False
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return False
        import ctypes
        libc = ctypes.CDLL(None)
        ok = libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 and libc.mallopt(_M_TRIM_THRESHOLD,
                                                                                    TRIM_THRESHOLD) == 1
    except (ValueError, OSError, AttributeError):
        return False
    _state[0] = ok
    return ok
