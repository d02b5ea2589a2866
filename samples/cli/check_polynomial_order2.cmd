check "y = x*x*w + 3*w" --at x=2 --at w=3 --order 2
