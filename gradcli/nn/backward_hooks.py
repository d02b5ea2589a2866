"""Module.register_full_backward_hook: identity Functions around a module's inputs and outputs (torch's
BackwardHookFunction) catch grad_output and grad_input; the hooks run once the inputs' gradients are known
and may replace them."""
import warnings

from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from ..autograd.tensor import Tensor

NO_INPUT_GRAD = ("Full backward hook is firing when gradients are computed with respect to module outputs since no "
                 "inputs require gradients. See https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                 "#torch.nn.Module.register_full_backward_hook for more details.")


class BackwardHookFunction(Function):
    """Passes tensors through unchanged; its backward hands the gradients to the module's hook state."""

    @staticmethod
    def forward(ctx, state, is_output, *tensors):
        ctx.state, ctx.is_output = state, is_output
        return tensors if len(tensors) != 1 else tensors[0]

    @staticmethod
    def backward(ctx, *grads):
        grads = ctx.state.on_output(grads) if ctx.is_output else ctx.state.on_input(grads)
        return (None, None) + tuple(grads)


class _HookState:
    def __init__(self, module, n_inputs, inputs_need_grad):
        self.module, self.n_inputs, self.inputs_need_grad = module, n_inputs, inputs_need_grad
        self.grad_output = None

    def _run(self, grad_input):
        for hook in list(self.module._backward_hooks.values()):
            res = hook(self.module, grad_input, self.grad_output)
            if res is not None:
                grad_input = tuple(res)
        return grad_input

    def on_output(self, grads):
        self.grad_output = tuple(grads)
        if not self.inputs_need_grad:  # nothing upstream to wait for: fire now, as torch does (with a warning)
            warnings.warn(NO_INPUT_GRAD, UserWarning, stacklevel=2)
            self._run((None,) * max(self.n_inputs, 1))
        return grads

    def on_input(self, grads):
        return self._run(tuple(grads))


def wrap_call(module, args, call):
    """Run `call(*args)` with the module's full backward hooks attached (only when a graph is recorded)."""
    tensors = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    need = [i for i in tensors if args[i].requires_grad]
    state = _HookState(module, len(tensors), bool(need))
    if need and STATE.grad_enabled:
        wrapped = BackwardHookFunction.apply(state, False, *[args[i] for i in need])
        wrapped = wrapped if isinstance(wrapped, tuple) else (wrapped,)
        args = list(args)
        for i, w in zip(need, wrapped):
            args[i] = w
    out = call(*args)
    if not (STATE.grad_enabled and isinstance(out, Tensor) and out.requires_grad):
        return out
    return BackwardHookFunction.apply(state, True, out)
