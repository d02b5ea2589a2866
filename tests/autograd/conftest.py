"""pytest configuration for the engine tests: the `slow` marker (slow tests still run by default)."""


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: long-running engine test (runs in CI; deselect with -m 'not slow')")
