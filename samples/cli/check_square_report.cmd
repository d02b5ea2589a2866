check square_functions.grad --report
