predict runs/logistic_regression --data 'blobs = {n_per_class = 4}'
