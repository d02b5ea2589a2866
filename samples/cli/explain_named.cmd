explain "h=x*w; y=tanh(h) + h" --at x=0.5 --at w=2 --wrt w
