"""nbval: never compare stderr (TensorFlow's start-up notes, warnings, progress bars differ by machine)."""


def pytest_collectstart(collector):
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr",)
