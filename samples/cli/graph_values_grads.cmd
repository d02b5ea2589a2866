graph "a = x + w; b = w + 1; y = a * b" --at x=2 --at w=1 --values --grads
