graph "h = relu(x*w - 1); y = mean(h*h)" --at "x=[1.,2.,3.]" --at "w=[0.5,1.,-1.]" --format mermaid
