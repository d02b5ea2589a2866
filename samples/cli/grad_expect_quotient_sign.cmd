grad "y=(x+1)/(x-1)" --at x=3 --expect "((x-1)+(x+1))/(x-1)**2"
# exit: 1
