eval runs/logistic_regression --data points.csv
# exit: 1
