graph "y=(x+w)*(w+1)" --at x=2 --at w=1
