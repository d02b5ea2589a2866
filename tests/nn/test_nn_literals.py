"""Torch-free checks: values and gradients recorded from torch 2.13 (float32), so CI without torch checks them."""
import numpy as np
import pytest

import gradcli as gc
from gradcli import nn
from gradcli.nn import functional as F

X = [[0.2, -1.0, 0.5], [1.5, 0.3, -0.7]]
T = [2, 0]
B = [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]

# name -> (loss builder, torch's loss, torch's d loss / d x)
LOSSES = {
    "ce": (lambda x: F.cross_entropy(x, gc.tensor(T)), 0.509981095790863,
           [[0.18860429525375366, 0.056806530803442, -0.24541082978248596],
            [-0.14589166641235352, 0.10665536671876907, 0.039236318320035934]]),
    "ce_sum": (lambda x: F.cross_entropy(x, gc.tensor(T), reduction="sum"), 1.019962191581726,
               [[0.3772085905075073, 0.113613061606884, -0.4908216595649719],
                [-0.29178333282470703, 0.21331073343753815, 0.07847263664007187]]),
    "ce_weight": (lambda x: F.cross_entropy(x, gc.tensor(T), weight=gc.tensor([1.0, 2.0, 3.0])), 0.5924690365791321,
                  [[0.2829064428806305, 0.08520979434251785, -0.36811625957489014],
                   [-0.07294583320617676, 0.05332768335938454, 0.019618159160017967]]),
    "ce_label_smoothing": (lambda x: F.cross_entropy(x, gc.tensor(T), label_smoothing=0.1), 0.5966477394104004,
                           [[0.17193762958049774, 0.04013986140489578, -0.21207749843597412],
                            [-0.11255833506584167, 0.08998870104551315, 0.022569650784134865]]),
    "nll": (lambda x: F.nll_loss(x, gc.tensor(T)), -1.0, [[0.0, 0.0, -0.5], [-0.5, 0.0, 0.0]]),
    "mse": (lambda x: F.mse_loss(x, gc.ones(2, 3)), 1.4200000762939453,
            [[-0.2666666805744171, -0.6666666865348816, -0.1666666716337204],
             [0.1666666716337204, -0.23333333432674408, -0.5666667222976685]]),
    "bce_logits": (lambda x: F.binary_cross_entropy_with_logits(x, gc.tensor(B)), 0.6740720272064209,
                   [[-0.07502767443656921, 0.04482357203960419, -0.06292343884706497],
                    [0.13626240193843842, -0.0709262490272522, 0.05530203878879547]]),
    "bce_logits_pos_weight": (lambda x: F.binary_cross_entropy_with_logits(
        x, gc.tensor(B), pos_weight=gc.tensor([2.0, 1.0, 0.5])), 0.7342553734779358,
        [[-0.15005534887313843, 0.04482357203960419, -0.031461719423532486],
         [0.13626240193843842, -0.0709262490272522, 0.05530203878879547]]),
    "bce_of_sigmoid": (lambda x: F.binary_cross_entropy(x.sigmoid(), gc.tensor(B)), 0.6740720272064209,
                       [[-0.07502768188714981, 0.04482357203960419, -0.06292343884706497],
                        [0.1362624168395996, -0.0709262490272522, 0.05530203878879547]]),
}


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_value_and_grad_literals(name):
    fn, value, grad = LOSSES[name]
    x = gc.tensor(X, requires_grad=True)
    loss = fn(x)
    assert loss.shape == ()
    np.testing.assert_allclose(loss.item(), value, rtol=1e-6)
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), grad, rtol=1e-5, atol=1e-7)


def test_activation_literals():
    x = gc.tensor(X)
    np.testing.assert_allclose(F.softmax(x, 1).numpy(), [[0.3772085905075073, 0.11361304670572281, 0.5091783404350281],
                                                         [0.708216667175293, 0.21331074833869934, 0.07847264409065247]],
                               rtol=1e-6)
    np.testing.assert_allclose(F.log_softmax(x, 1).numpy(),
                               [[-0.9749569296836853, -2.174956798553467, -0.6749569177627563],
                                [-0.34500524401664734, -1.5450053215026855, -2.5450053215026855]], rtol=1e-6)
    np.testing.assert_allclose(F.gelu(x).numpy(), [[0.11585195362567902, -0.1586552858352661, 0.3457311987876892],
                                                   [1.3997890949249268, 0.1853734254837036, -0.1693745106458664]],
                               rtol=1e-6)
    np.testing.assert_allclose(F.leaky_relu(x, 0.1).numpy(), [[0.2, -0.1, 0.5], [1.5, 0.3, -0.07]], rtol=1e-6)


def test_linear_literal_with_given_weights():
    lin = nn.Linear(3, 2)
    lin.load_state_dict({"weight": gc.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]), "bias": gc.tensor([0.01, -0.02])})
    x = gc.tensor(X, requires_grad=True)
    y = lin(x)
    np.testing.assert_allclose(y.detach().numpy(), [[0.38, -0.74], [-0.11, 1.15]], rtol=1e-6)
    assert type(y.grad_fn).__name__ == "AddmmBackward0"
    y.sum().backward()
    np.testing.assert_allclose(lin.weight.grad.numpy(), [[1.7, -0.7, -0.2]] * 2, rtol=1e-6)
    assert lin.bias.grad.tolist() == [2.0, 2.0]
    np.testing.assert_allclose(x.grad.numpy(), [[0.5, 0.3, -0.3]] * 2, rtol=1e-6)


def test_module_api_literals():
    gc.manual_seed(0)
    m = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 1), nn.Sigmoid()))
    assert [k for k, _ in m.named_parameters()] == ["0.weight", "0.bias", "2.0.weight", "2.0.bias"]
    assert list(m.state_dict()) == ["0.weight", "0.bias", "2.0.weight", "2.0.bias"]
    assert repr(m) == ("Sequential(\n"
                       "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
                       "  (1): ReLU()\n"
                       "  (2): Sequential(\n"
                       "    (0): Linear(in_features=3, out_features=1, bias=True)\n"
                       "    (1): Sigmoid()\n"
                       "  )\n"
                       ")")
    assert repr(nn.Parameter(gc.tensor([1.0, 2.0]))) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    sd = m.state_dict()
    del sd["0.bias"]
    sd["foo"] = gc.ones(1)
    with pytest.raises(RuntimeError) as e:
        m.load_state_dict(sd)
    assert str(e.value) == ('Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: '
                            '"0.bias". \n\tUnexpected key(s) in state_dict: "foo". ')
    with pytest.raises(ValueError, match="Using a target size \\(torch.Size\\(\\[4\\]\\)\\) that is different to the "
                                         "input size \\(torch.Size\\(\\[3\\]\\)\\) is deprecated"):
        F.binary_cross_entropy(gc.full((3,), 0.5), gc.ones(4))


def test_bce_extremes_literals():
    p = gc.tensor([0.0, 1.0], requires_grad=True)
    loss = F.binary_cross_entropy(p, gc.tensor([1.0, 0.0]), reduction="none")
    assert loss.tolist() == [100.0, 100.0]
    loss.sum().backward()
    assert p.grad.tolist() == [-999999995904.0, 999999995904.0]  # float32(1e12): torch's eps of 1e-12
    z = gc.tensor([-200.0], requires_grad=True)
    assert F.binary_cross_entropy_with_logits(z, gc.tensor([1.0])).item() == 200.0
