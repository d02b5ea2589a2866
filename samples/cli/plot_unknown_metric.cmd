plot runs/linear_regression --metric accuracy
# exit: 2
