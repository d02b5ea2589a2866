diff "y=tanh(x*w)" --at x=0.5 --at w=2 --order 2
