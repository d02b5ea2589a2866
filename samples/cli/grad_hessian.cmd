grad "sum(tanh(A@x)**2)" --at "A=[[1.,2.],[0.5,-1.]]" --at "x=[1,2]" --order 2
