check "y = sin(x)*w" --at x=0.5 --at "w=[1, 2]" --report
