check square_functions.grad --fn SquareWrong.apply --report
# exit: 1
