# mirrors: d2l-ai/d2l-zh chapter_multilayer-perceptrons/weight-decay.md (init_params, l2_penalty = torch.sum(w.pow(2)) / 2, train with lambd)
# compare: numberwise 1e-5 (float32 training loop: torch's vectorised sums and matmuls add in another order, last bits drift)
import torch


def init_params():
    w = torch.normal(0, 1, size=(num_inputs, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    return [w, b]


def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def train(lambd):
    w, b = init_params()
    lr = 0.003
    for epoch in range(20):
        for i in range(0, n_train, 5):
            X, y = train_X[i:i + 5], train_y[i:i + 5]
            l = squared_loss(linreg(X, w, b), y) + lambd * l2_penalty(w)
            l.sum().backward()
            with torch.no_grad():
                for param in [w, b]:
                    param -= lr * param.grad / 5
                    param.grad.zero_()
    print('w的L2范数是：', torch.norm(w).item())


torch.manual_seed(0)
n_train, num_inputs = 20, 10
true_w, true_b = torch.ones((num_inputs, 1)) * 0.01, 0.05
train_X = torch.normal(0, 1, (n_train, num_inputs))
train_y = torch.matmul(train_X, true_w) + true_b + torch.normal(0, 0.01, (n_train, 1))
train(lambd=0)
train(lambd=3)
