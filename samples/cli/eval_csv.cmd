eval runs/linear_regression --data ../train/houses.csv --checkpoint last
