check square_functions.grad --fn SquareWrong.apply
# exit: 1
