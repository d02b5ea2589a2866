"""gradcli.train: small models from TOML configs, trained reproducibly and resumably on gradcli's engine."""
from .config import Config, ConfigError, load_config, parse_config, to_toml  # noqa: F401
from .loop import TrainError, TrainResult, train  # noqa: F401
