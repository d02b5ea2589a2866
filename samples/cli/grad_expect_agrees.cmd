grad "y=x*exp(x)" --at x=0.7 --expect "(1+x)*exp(x)"
