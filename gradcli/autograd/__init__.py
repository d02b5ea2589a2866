"""gradcli's autograd engine (numpy only): torch.autograd's semantics on numpy arrays."""
import numpy as _np

# torch computes inf/nan silently; numpy would warn on every such element-wise op
_np.seterr(all="ignore")

from . import ops as _ops  # noqa: E402
_ops._build_nodes()
from . import api as _api  # noqa: E402
_api.install()
from . import methods as _methods  # noqa: E402,F401
from .engine import backward, grad  # noqa: E402,F401
from .graph import Node  # noqa: E402,F401
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled  # noqa: E402,F401
from .tensor import Tensor  # noqa: E402,F401
from . import functional  # noqa: E402,F401
from .anomaly import detect_anomaly, set_detect_anomaly, is_anomaly_enabled  # noqa: E402,F401
from .function import Function, FunctionCtx, once_differentiable  # noqa: E402,F401
from .gradcheck import GradcheckError, gradcheck, gradgradcheck  # noqa: E402,F401

Variable = Tensor  # the pre-0.4 wrapper; tutorials still import it
