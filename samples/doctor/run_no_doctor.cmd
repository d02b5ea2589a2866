run inplace_after_save.grad --no-doctor
# exit: 1
