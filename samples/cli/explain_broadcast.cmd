explain "y=sum(x*w)" --at "x=[1,2,3]" --at w=2
