"""The generative task's settings for fast tests: a few dozen small images and a narrow VAE."""

from __future__ import annotations

# A run of a second or two on the CPU (`--set` values): 58 training images of 16x16 in 3 batches
# of 16, 8 sample images per epoch.
SMALL = [
    "data.num_samples=64",
    "data.image_size=16",
    "data.batch_size=16",
    "model.widths=[8, 16]",
    "model.latent_dim=4",
    "model.samples_per_epoch=8",
]
# Three epochs of four steps, what the resume tests stop and continue: 36 training images in
# batches of 9.
TINY = [
    "data.num_samples=40",
    "data.image_size=8",
    "data.batch_size=9",
    "model.widths=[4]",
    "model.latent_dim=2",
    "model.samples_per_epoch=4",
]
TINY_STEPS_PER_EPOCH = 4
# Values the task's sections refuse, each with the key its one-line error names.
BAD_VALUES = [
    ("data.num_samples=1", "data.num_samples"),
    ("data.image_size=2", "data.image_size"),
    ("data.image_size=30", "data.image_size"),
    ("data.channels=4", "data.channels"),
    ("data.batch_size=0", "data.batch_size"),
    ("data.source=''", "data.source"),
    ("model.widths=[]", "model.widths"),
    ("model.latent_dim=0", "model.latent_dim"),
    ("model.beta=-1", "model.beta"),
    ("model.samples_per_epoch=1000", "model.samples_per_epoch"),
    ("trainer.best_mode=max", "trainer.best_mode"),
]
