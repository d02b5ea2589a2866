check square_functions.grad
