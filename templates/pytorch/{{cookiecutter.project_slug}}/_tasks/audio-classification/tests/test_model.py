from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from {{ cookiecutter.package_name }}.clips import synthetic_clips
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.model import LogMel, build_model, mask_bands
from {{ cookiecutter.package_name }}.train import count_parameters


def clips(count: int, seed: int = 0) -> torch.Tensor:
    return torch.from_numpy(synthetic_clips(count, 16000, 1.0, seed)[0])


def test_output_shape_and_size() -> None:
    model = build_model(Config(), num_classes=6).eval()
    assert model(clips(3)).shape == (3, 6)
    assert 20_000 < count_parameters(model) < 30_000
    # Rebuilt from the config, the window and the filterbank are not saved.
    assert set(model.state_dict()).isdisjoint({"front.window", "front.bank"})


def test_the_spectrogram_shows_a_tones_band_whatever_its_loudness() -> None:
    front = LogMel(16000, n_fft=512, hop_length=160, n_mels=40)
    t = torch.arange(16000) / 16000
    hiss = 0.05 * torch.randn(16000, generator=torch.Generator().manual_seed(0))
    low, high = (torch.sin(2 * torch.pi * hz * t) + hiss for hz in (300, 3000))
    spectrograms = front(torch.stack([low, high, 0.2 * high]))
    assert spectrograms.shape == (3, 40, 1 + 16000 // 160)
    bands = spectrograms.mean(dim=2).argmax(dim=1).tolist()
    assert bands[0] < bands[1] == bands[2]
    # 14 dB quieter, the same spectrogram: only bins near the log's floor (1e-6) could differ.
    torch.testing.assert_close(spectrograms[2], spectrograms[1], atol=1e-3, rtol=1e-3)
    assert abs(spectrograms.mean().item()) < 1e-5  # standardised per clip


def test_the_front_end_stays_float32_under_autocast() -> None:
    front = LogMel(16000, n_fft=512, hop_length=160, n_mels=40)
    waves = clips(2)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        spectrograms = front(waves)
    assert spectrograms.dtype == torch.float32
    torch.testing.assert_close(spectrograms, front(waves))


def test_masks_hide_seeded_runs_of_bands_and_frames() -> None:
    x = torch.ones(64, 1, 40, 101)
    torch.manual_seed(1)
    bands = mask_bands(x, 8, dim=2)
    torch.manual_seed(1)
    assert torch.equal(mask_bands(x, 8, dim=2), bands)  # the seeded global generator
    hidden = (bands[:, 0, :, 0] == 0).numpy()  # [clip, band]
    assert (bands == bands[..., :1]).all()  # a hidden band is hidden in every frame
    widths = hidden.sum(axis=1)
    assert widths.max() <= 8 and len(set(widths.tolist())) > 3
    for row, width in zip(hidden, widths, strict=True):  # one run of consecutive bands
        assert width == 0 or np.ptp(np.flatnonzero(row)) == width - 1
    frames = mask_bands(x, 500, dim=3)  # wider than the clip: at most all of it
    assert ((frames == 0).sum(dim=(1, 2, 3)) <= 40 * 101).all()


def test_masking_happens_in_training_only() -> None:
    config = Config()
    config.model.freq_mask, config.model.time_mask, config.model.dropout = 10, 30, 0.0
    torch.manual_seed(0)
    masked = build_model(config, num_classes=6)
    plain = build_model(Config(), num_classes=6)
    plain.load_state_dict(masked.state_dict())
    waves = clips(4)
    masked.eval(), plain.eval()
    torch.testing.assert_close(masked(waves), plain(waves))
    masked.train(), plain.train()
    torch.manual_seed(2)
    first = masked(waves)
    torch.manual_seed(2)
    assert torch.equal(masked(waves), first)
    torch.manual_seed(2)
    assert not torch.allclose(plain(waves), first)


def test_one_step_lowers_the_loss_on_a_fixed_batch() -> None:
    torch.manual_seed(0)
    config = Config()
    config.model.dropout = 0.0  # the same forward pass before and after the step
    model = build_model(config, num_classes=6).train()
    waves, labels = clips(32), torch.randint(0, 6, (32,))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    before = F.cross_entropy(model(waves), labels)
    optimizer.zero_grad()
    before.backward()
    optimizer.step()
    assert F.cross_entropy(model(waves), labels).item() < before.item()
