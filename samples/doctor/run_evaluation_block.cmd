run evaluation_block.grad
# exit: 1
