"""The model: its log-mel front end against NumPy, masking in training only, learning, saving."""

import keras
import numpy as np
import pytest

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.data import load_split
from {{ cookiecutter.package_name }}.melscale import mel_filterbank
from {{ cookiecutter.package_name }}.model import LogMel, SpecAugment, build_model
from {{ cookiecutter.package_name }}.train import compile_model


def numpy_log_mel(waves: np.ndarray, rate: int, n_fft: int, hop: int, n_mels: int) -> np.ndarray:
    """What the front end computes, written out in float64: centred frames (reflect padding),
    a periodic Hann window, |rFFT|^2 on the mel bands, log, each clip standardised."""
    padded = np.pad(waves.astype(np.float64), ((0, 0), (n_fft // 2, n_fft // 2)), mode="reflect")
    starts = range(0, padded.shape[1] - n_fft + 1, hop)
    frames = np.stack([padded[:, s : s + n_fft] for s in starts], axis=1)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
    power = np.abs(np.fft.rfft(frames * window, axis=-1)) ** 2
    logmel = np.log(power @ mel_filterbank(rate, n_fft, n_mels) + 1e-6)
    mean = logmel.mean(axis=(1, 2), keepdims=True)
    return (logmel - mean) / (logmel.std(axis=(1, 2), keepdims=True) + 1e-5)


def test_the_front_end_is_a_standardised_log_mel_spectrogram(config: Config) -> None:
    waves = load_split(config.data, seed=0).x_val[:4]
    layer = LogMel(config.data.sample_rate, 256, 80, 32)
    got = keras.ops.convert_to_numpy(layer(waves))
    expected = numpy_log_mel(waves, config.data.sample_rate, 256, 80, 32)
    assert got.shape == (4, 1 + waves.shape[1] // 80, 32, 1)
    np.testing.assert_allclose(got[..., 0], expected, atol=2e-3)
    # How loud a clip is does not matter: its spectrogram is standardised.
    quieter = keras.ops.convert_to_numpy(layer(waves * 0.25))
    np.testing.assert_allclose(quieter, got, atol=2e-2)


def test_masking_hides_bands_and_frames_while_training_only() -> None:
    x = np.ones((64, 30, 20, 1), np.float32)
    layer = SpecAugment(freq_mask=5, time_mask=8, seed=3)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x)), x)
    masked = keras.ops.convert_to_numpy(layer(x, training=True))[..., 0]
    frames_hidden = (masked == 0).all(axis=2).sum(axis=1)  # whole frames set to 0, per clip
    bands_hidden = (masked == 0).all(axis=1).sum(axis=1)
    assert frames_hidden.max() <= 8 and bands_hidden.max() <= 5
    assert frames_hidden.mean() > 1 and bands_hidden.mean() > 1
    assert set(np.unique(masked)) <= {0.0, 1.0}
    again = SpecAugment(freq_mask=5, time_mask=8, seed=3)(x, training=True)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(again)[..., 0], masked)  # seeded


def test_a_few_steps_lower_the_loss(config: Config) -> None:
    keras.utils.set_random_seed(0)
    split = load_split(config.data, seed=0)
    x, y = split.x_train[:64], split.y_train[:64]
    model = build_model(config.data, config.model, split.meta)
    compile_model(model, split.meta, lr=3e-3)
    before = model.test_on_batch(x, y, return_dict=True)["loss"]
    for _ in range(5):
        model.train_on_batch(x, y)
    assert model.test_on_batch(x, y, return_dict=True)["loss"] < before


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "float32"])
def test_the_front_end_and_the_logits_stay_float32(config: Config, policy: str) -> None:
    keras.mixed_precision.set_dtype_policy(policy)
    try:
        model = build_model(config.data, config.model, ["a", "b"])
    finally:
        keras.mixed_precision.set_dtype_policy("float32")
    assert model.get_layer("log_mel").compute_dtype == "float32"
    assert model.get_layer("conv1").compute_dtype == policy.removeprefix("mixed_")
    assert model.output.dtype == "float32"


def test_keras_format_round_trip(config: Config, tmp_path) -> None:
    config.model.freq_mask, config.model.time_mask = 4, 6
    split = load_split(config.data, seed=0)
    model = build_model(config.data, config.model, split.meta)
    x = split.x_val[:8]
    model.save(tmp_path / "model.keras")
    reloaded = keras.saving.load_model(tmp_path / "model.keras")  # safe_mode stays on
    assert reloaded.get_layer("spec_augment").get_config()["time_mask"] == 6
    diff = np.abs(model.predict(x, verbose=0) - reloaded.predict(x, verbose=0)).max()
    assert diff < 1e-6
