run intermediate_grad.grad
