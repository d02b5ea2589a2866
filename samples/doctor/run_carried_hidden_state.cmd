run carried_hidden_state.grad
# exit: 1
