graph "y = tanh(x) * x" --at x=0.5 --format dot
