"""A small CNN (about 94k parameters at the defaults) that works for any image size."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from .config import Config
from .config_io import from_dict


def conv_block(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(
        # No conv bias: BatchNorm's shift makes it redundant.
        nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1, bias=False),
        # Faster-moving running statistics than the default 0.1, so that evaluation after a short
        # run (a few dozen steps) does not normalise with statistics of the untrained network.
        nn.BatchNorm2d(out_channels, momentum=0.3),
        nn.ReLU(inplace=True),
    )


class ConvNet(nn.Module):
    """Takes pixels in [0, 1], as the data loaders and the exported model's callers give them."""

    def __init__(
        self, in_channels: int, num_classes: int, widths: list[int], dropout: float = 0.0
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        for i, width in enumerate(widths):
            if i > 0:
                layers.append(nn.MaxPool2d(2))
            layers.append(conv_block(in_channels, width))
            in_channels = width
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Dropout(dropout),
            nn.Linear(in_channels, num_classes),
        )
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                # Unit-variance activations from the first step keep BatchNorm's running
                # statistics close to the batch statistics early in training.
                nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu")

    def forward(self, x: Tensor) -> Tensor:
        # Centre the pixels here rather than in the data pipeline, so exported models take raw
        # [0, 1] pixels too.
        return self.head(self.features((x - 0.5) / 0.5))


def build_model(config: Config, num_classes: int) -> ConvNet:
    model = ConvNet(
        in_channels=config.data.channels,
        num_classes=num_classes,
        widths=list(config.model.widths),
        dropout=config.model.dropout,
    )
    # Channels-last (NHWC) is the layout oneDNN's CPU and cuDNN's GPU convolutions are fastest in
    # (about 1.5x per training step on a CPU); an NCHW input is converted by the first conv.
    return model.to(memory_format=torch.channels_last)


def model_from_checkpoint(
    checkpoint: dict[str, Any], device: torch.device | str = "cpu"
) -> ConvNet:
    """The model a checkpoint was trained with (its own saved config and classes), in eval mode."""
    model = build_model(from_dict(Config, checkpoint["config"]), len(checkpoint["classes"]))
    model.load_state_dict(checkpoint["model"])
    return model.to(device).eval()
