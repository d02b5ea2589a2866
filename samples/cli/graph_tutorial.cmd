graph ../tutorials/seed000_3_one_layer_network.grad --var loss
