import keras
import numpy as np

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.data import load_split
from {{ cookiecutter.package_name }}.model import build_model
from {{ cookiecutter.package_name }}.train import compile_model

CLASSES = [str(i) for i in range(10)]


def test_output_shape_and_size(config: Config) -> None:
    model = build_model(config.data, config.model, CLASSES)
    size, channels = config.data.image_size, config.data.channels
    x = np.zeros((3, size, size, channels), "float32")
    assert tuple(model(x).shape) == (3, 10)
    assert 50_000 < model.count_params() < 150_000


def test_one_step_lowers_the_loss(config: Config) -> None:
    keras.utils.set_random_seed(0)
    split = load_split(config.data, seed=0)
    x, y = split.x_train[:32], split.y_train[:32]
    model = compile_model(build_model(config.data, config.model, CLASSES), CLASSES, lr=1e-3)
    before = model.test_on_batch(x, y, return_dict=True)["loss"]
    model.train_on_batch(x, y)
    after = model.test_on_batch(x, y, return_dict=True)["loss"]
    assert after < before


def test_keras_format_round_trip(config: Config, tmp_path) -> None:
    model = build_model(config.data, config.model, CLASSES)
    x = load_split(config.data, seed=0).x_val[:8]
    model.save(tmp_path / "model.keras")
    reloaded = keras.saving.load_model(tmp_path / "model.keras")  # safe_mode stays on
    diff = np.abs(model.predict(x, verbose=0) - reloaded.predict(x, verbose=0)).max()
    assert diff < 1e-6
