graph ../tutorials/seed004_18_logistic_regression_sequential.grad
