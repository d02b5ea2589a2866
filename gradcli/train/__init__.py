"""gradcli.train: small models from TOML configs, trained reproducibly and resumably on gradcli's engine."""
from .config import Config, ConfigError, load_config, parse_config, to_toml
from .loop import TrainError, TrainResult, train

__all__ = ["Config", "ConfigError", "load_config", "parse_config", "to_toml", "TrainError", "TrainResult", "train"]
