run inplace_after_save.grad
# exit: 1
