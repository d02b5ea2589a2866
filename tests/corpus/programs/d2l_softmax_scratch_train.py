# mirrors: d2l-ai/d2l-zh chapter_linear-networks/softmax-regression-scratch.md (net(X) = softmax(X.reshape @ W + b), train_epoch_ch3 with an sgd updater; synthetic 3-class data instead of Fashion-MNIST)
import torch

num_inputs, num_outputs = 4, 3
torch.manual_seed(0)
W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
b = torch.zeros(num_outputs, requires_grad=True)
centers = torch.tensor([[2.0, 0, 0, 0], [0, 2.0, 0, 0], [0, 0, 2.0, 0]])
labels = torch.arange(60) % 3
features = centers[labels] + torch.normal(0, 1, (60, num_inputs))


def softmax(X):
    X_exp = torch.exp(X)
    return X_exp / X_exp.sum(1, keepdim=True)


def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)


def cross_entropy(y_hat, y):
    return - torch.log(y_hat[range(len(y_hat)), y])


def accuracy(y_hat, y):
    y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def updater(batch_size, lr=0.1):
    with torch.no_grad():
        for param in [W, b]:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


for epoch in range(5):
    total_loss, total_acc, n = 0.0, 0.0, 0
    for i in range(0, 60, 12):
        X, y = features[i:i + 12], labels[i:i + 12]
        y_hat = net(X)
        l = cross_entropy(y_hat, y)
        l.sum().backward()
        updater(X.shape[0])
        total_loss += float(l.sum())
        total_acc += accuracy(y_hat, y)
        n += y.numel()
    print(f'epoch {epoch + 1}: loss {total_loss / n:.4f}, train acc {total_acc / n:.3f}')
