train ../train/logistic_regression_grad.toml --print-config
