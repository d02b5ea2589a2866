diff "y=sigmoid(x)/x + exp(-x)" --at x=0.7
