"""Config validation: each bad key, type and range gives a message naming the key (and its line)."""
import tomllib

import pytest

from gradcli.tools.expression import OptionError
from gradcli.train import ConfigError, load_config, parse_config, to_toml

from .helpers import LOGREG, MOONS, SAMPLES


def bad(text, overrides=None):
    with pytest.raises(ConfigError) as e:
        parse_config(text, "c.toml", overrides)
    return e.value


@pytest.mark.parametrize("old, new, message, line", [
    ("momentum = 0.9", "momentun = 0.9", "optim.momentun: unknown key; did you mean 'momentum'?", 19),
    ("[train]", "[trian]", "trian: unknown key; did you mean 'train'?", 21),
    ("mean = 1.7", "mean = \"1.7\"", "data.blobs.mean: expected a number, got a string \"1.7\"", 6),
    ("n_per_class = 100", "n_per_class = 0", "data.blobs.n_per_class: must be >= 1, got an integer 0", 5),
    ("n_per_class = 100", "n_per_class = 1.5", "data.blobs.n_per_class: expected an integer, got a number 1.5", 5),
    ("n_per_class = 100", "n_per_class = true", "expected an integer, got a boolean true", 5),
    ("lr = 0.01", "lr = -0.01", "optim.lr: must be > 0.0, got a number -0.01", 18),
    ("lr = 0.01", "lr = inf", "optim.lr: must be a finite number", 18),
    ('name = "bce"', 'name = "bcee"', "loss.name: must be one of mse, bce, bce_with_logits, cross_entropy, got "
                                     "'bcee'; did you mean 'bce'?", 14),
    ('batch_size = "full"', 'batch_size = "half"', 'data.batch_size: expected an integer or "full"', 2),
    ('batch_size = "full"', 'batch_size = 0', "data.batch_size: must be >= 1", 2),
    ('["linear(2,1)", "sigmoid"]', '["linear(2,1)", "sigmiod"]', "layer 1 ('sigmiod'): unknown layer 'sigmiod'; "
                                                                 "did you mean 'sigmoid'?", 11),
    ('["linear(2,1)", "sigmoid"]', '["linear(3,1)"]', "the first layer linear(3,1) takes 3 features but the data "
                                                      "has 2", 11),
    ('["linear(2,1)", "sigmoid"]', '["linear(2,x)"]', "linear needs two positive integers", 11),
    ('["linear(2,1)", "sigmoid"]', '["linear(2,1)", "dropout(1.5)"]', "dropout's probability must be a number "
                                                                       "in [0, 1)", 11),
    ('["linear(2,1)", "sigmoid"]', '["relu"]', "needs at least one linear layer", 11),
    ("iterations = 60", "iterations = 60\nepochs = 3", "give exactly one of train.epochs and train.iterations", 21),
    ("seed = 1", "seed = 1\nstop_when = \"accuracy => 0.9\"", "train.stop_when: cannot read 'accuracy => 0.9'", 26),
    ("seed = 1", "seed = 1\nstop_when = \"acc >= 0.9\"", "'acc' is not a recorded metric (recorded: loss, "
                                                          "accuracy); did you mean 'accuracy'?", 26),
    ("seed = 1", "seed = 1\nmetrics = [\"r2\", \"acuracy\"]", "unknown metric 'acuracy'; did you mean 'accuracy'?",
     26),
    ("seed = 1", "seed = 1\nmonitor = \"val_loss\"", "'val_loss' is not recorded", 26),
    ('name = "bce"', 'name = "mse"\n[model.extra]', "model.extra: unknown key", 15),
])
def test_bad_values_name_the_key_and_line(old, new, message, line):
    assert old in LOGREG
    e = bad(LOGREG.replace(old, new, 1))
    assert message in e.message
    assert e.span is not None and e.span.line == line, e.format()
    assert e.format().startswith(f"c.toml:{line}:")


def test_option_of_another_optimizer_says_whose_it_is():
    e = bad(LOGREG, ["optim.name=adam"])
    assert "optim.momentum: is not an option of adam (it belongs to sgd)" in e.message


def test_data_source_must_be_one_table():
    blobs = "[data.blobs]\nn_per_class = 100\nmean = 1.7\nstd = 1.0\nbias = 1.0\n"
    assert "give one data source" in bad(LOGREG.replace(blobs, "")).message
    two = LOGREG.replace("[model]", "[data.moons]\nn = 10\n\n[model]")
    assert "data.moons: data.source is 'blobs', so [data.moons] does not apply" in bad(
        two.replace('batch_size = "full"', 'batch_size = "full"\nsource = "blobs"')).message
    assert "give one data source" in bad(two).message


def test_a_grad_language_model_without_parameters_says_what_to_declare():
    # (.grad models themselves are tested in test_gradmodel.py)
    e = bad(LOGREG.replace('layers = ["linear(2,1)", "sigmoid"]', 'forward = "sigmoid(x @ w + b)"'))
    assert e.message.startswith("model.parameters: declare the trained parameters")


def test_invalid_toml_points_at_the_character():
    e = bad("[data\n")
    assert e.format().splitlines()[0].startswith("c.toml:1:6: error: invalid TOML")


def test_overrides_are_validated_again_and_name_the_option():
    e = bad(LOGREG, ["optim.lr=-1"])
    assert e.message == "--set optim.lr=-1: optim.lr: must be > 0.0, got a number -1.0"
    cfg = parse_config(LOGREG, "c.toml", ["optim.lr=0.05", "optim.name=adam", "optim.momentum=0"][:1])
    assert cfg["optim"]["lr"] == 0.05
    cfg = parse_config(LOGREG.replace("momentum = 0.9\n", ""), "c.toml", ["optim.name=adam"])
    assert cfg["optim"]["betas"] == [0.9, 0.999]  # a bare word is a string


@pytest.mark.parametrize("item", ["lr=0.1", "optim.lr", "=3", "optim..lr=1"])
def test_malformed_override_is_a_usage_error(item):
    with pytest.raises(OptionError):
        parse_config(LOGREG, "c.toml", [item])


def test_defaults_are_filled_and_the_toml_round_trips():
    cfg = parse_config(MOONS, "m.toml")
    assert cfg["train"]["metrics"] == ["loss", "accuracy"]
    assert cfg["train"]["monitor"] == "val_loss"
    assert cfg["optim"]["schedule"]["t_max"] == 12
    assert cfg["optim"]["betas"] == [0.9, 0.999]
    text = to_toml(cfg.values)
    assert "# iterations = (not set)" in text
    again = parse_config(text, "again.toml")
    assert again.values == cfg.values and again.hash() == cfg.hash()
    tomllib.loads(text)


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.toml")))
def test_samples_validate(sample):
    cfg = load_config(SAMPLES / sample)
    assert parse_config(to_toml(cfg.values)).values == cfg.values


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "nope.toml")
