run ../tutorials/seed001_3_grad_accumulates.grad
