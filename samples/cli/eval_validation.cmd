eval runs/linear_regression
