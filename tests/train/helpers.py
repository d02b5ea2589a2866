"""Small configs for the training tests (a few hundred steps at most: the train suite stays fast)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "train"

LOGREG = """\
[data]
batch_size = "full"

[data.blobs]
n_per_class = 100
mean = 1.7
std = 1.0
bias = 1.0

[model]
layers = ["linear(2,1)", "sigmoid"]

[loss]
name = "bce"

[optim]
name = "sgd"
lr = 0.01
momentum = 0.9

[train]
iterations = 60
log_every = 10
checkpoint_every = 20
seed = 1
"""

# mini-batches, reshuffling, dropout, a validation split, Adam and a cosine schedule: all the state
# a resume has to restore
MOONS = """\
[data]
validation = 0.25
standardize = true
batch_size = 24

[data.moons]
n = 120
noise = 0.2

[model]
layers = ["linear(2,8)", "tanh", "dropout(0.2)", "linear(8,1)"]

[loss]
name = "bce_with_logits"

[optim]
name = "adam"
lr = 0.05

[optim.schedule]
name = "cosine"

[train]
epochs = 12
log_every = 2
eval_every = 4
checkpoint_every = 3
seed = 7
"""


def write(tmp_path, text, name="c.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p
