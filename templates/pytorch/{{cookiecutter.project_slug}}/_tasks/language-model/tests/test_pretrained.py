"""`model.pretrained`: fine-tuning a tiny GPT-2 built and saved here (nothing is downloaded),
through LoRA adapters or every weight; export and predict rebuild it from the checkpoint alone."""

from __future__ import annotations

import csv
import math
import os
import signal
from pathlib import Path

import pytest
import torch
import transformers  # the `pretrained` extra, which `dev` includes
from tokenizers import Tokenizer

from {{ cookiecutter.package_name }} import loop
from {{ cookiecutter.package_name }}.checkpoint import BEST, LAST, load_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError, load_config
from {{ cookiecutter.package_name }}.data import build_loaders, load_texts
from {{ cookiecutter.package_name }}.errors import Interrupted
from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.model import model_from_checkpoint
from {{ cookiecutter.package_name }}.predict import predict
from {{ cookiecutter.package_name }}.task import token_losses
from {{ cookiecutter.package_name }}.tokenizer import END_OF_TEXT, BPETokenizer
from {{ cookiecutter.package_name }}.train import train

END = "</s>"  # not the project's own end-of-text token: the model's own must be the one used
DATA = ["data.num_documents=400", "data.context_length=32", "data.batch_size=16"]


def pretrain(model: torch.nn.Module, ids: list[int], steps: int = 40) -> None:
    """A few steps of every weight on other documents, so that the base model knows the words
    (LoRA on random embeddings has little to adapt)."""
    windows = torch.tensor(ids[: len(ids) // 33 * 33]).view(-1, 33)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    draw = torch.Generator().manual_seed(0)
    for _ in range(steps):
        batch = windows[torch.randint(len(windows), (16,), generator=draw)]
        model(input_ids=batch, labels=batch).loss.backward()
        optimizer.step()
        optimizer.zero_grad()


def save_tiny_gpt2(folder: Path, documents: list[str], other: list[str]) -> Path:
    """A 2-layer GPT-2, briefly pretrained on `other`, and a byte-level BPE tokenizer ending
    sequences with `</s>`, as `save_pretrained` writes them."""
    learnt = BPETokenizer.train(documents, 320).to_str().replace(END_OF_TEXT, END)
    tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_object=Tokenizer.from_str(learnt), eos_token=END
    )
    eos = tokenizer.eos_token_id
    config = transformers.GPT2Config(
        vocab_size=len(tokenizer), n_positions=64, n_embd=32, n_layer=2, n_head=2,
        bos_token_id=eos, eos_token_id=eos,
    )  # fmt: skip
    torch.manual_seed(0)
    model = transformers.GPT2LMHeadModel(config)
    pretrain(model, [i for doc in other for i in (*tokenizer(doc)["input_ids"], eos)])
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def settings(base: Path, runs: Path, *more: str) -> Config:
    trainer = ["trainer.epochs=3", "trainer.lr=0.01", "trainer.device=cpu"]
    pretrained = [f"model.pretrained='{base}'", f"trainer.runs_dir='{runs}'"]
    return load_config(Config, None, [*DATA, *trainer, *pretrained, *more])


def perplexities(run: Path) -> list[float]:
    with (run / "metrics.csv").open(newline="") as f:
        return [float(row["val_perplexity"]) for row in csv.DictReader(f)]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = load_config(Config, None, DATA).data
    documents, other = load_texts(data, 0).train, load_texts(data, 1).train
    return save_tiny_gpt2(tmp_path_factory.mktemp("pretrained") / "tiny-gpt2", documents, other)


@pytest.fixture(scope="module")
def fine_tuned(base: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, Path]:
    config = settings(base, tmp_path_factory.mktemp("runs"))
    return config, Path(train(config)["run_dir"])


def base_name(name: str) -> str:
    """The pretrained model's name of a weight under the adapters."""
    return name.removeprefix("model.base_model.model.").replace(".base_layer", "")


def test_adapters_learn_and_the_pretrained_weights_stay(
    fine_tuned: tuple[Config, Path], base: Path
) -> None:
    config, run = fine_tuned
    state = load_checkpoint(run / BEST)
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    assert state["end_of_text"] == tokenizer.token_to_id(END)
    pretrained = transformers.GPT2LMHeadModel.from_pretrained(base).state_dict()
    adapters = {k: v for k, v in state["model"].items() if "lora_" in k}
    frozen = {base_name(k): v for k, v in state["model"].items() if "lora_" not in k}
    assert len(adapters) == 2 * 2 * 4  # A and B, 2 blocks, 4 linear layers each (not the output)
    assert all(v.abs().max() > 0 for k, v in adapters.items() if "lora_B" in k)  # B starts at 0
    for name, weight in pretrained.items():
        torch.testing.assert_close(frozen[name], weight, rtol=0, atol=0)
    inputs, targets = build_loaders(config, torch.device("cpu")).val.tensors
    with torch.no_grad():
        logits = transformers.GPT2LMHeadModel.from_pretrained(base)(input_ids=inputs).logits
    before = math.exp(token_losses(logits, targets).mean().item())
    # The base model already knows these words; three epochs of adapters still gain a few percent.
    assert state["metrics"]["val_perplexity"] < 0.95 * before
    assert evaluate(config, run)["perplexity"] == pytest.approx(state["metrics"]["val_perplexity"])


def test_export_and_predict_need_no_pretrained_files(
    fine_tuned: tuple[Config, Path], base: Path, tmp_path: Path
) -> None:
    config, run = fine_tuned
    away = base.rename(tmp_path / "elsewhere")
    try:
        result = export(config, run)
        greedy = {"max_new_tokens": 8, "top_k": 1}
        eager = predict(config, run, ["anna lives"], None, exported=False, **greedy)
        exported = predict(config, run, ["anna lives"], None, exported=True, **greedy)
    finally:
        away.rename(base)
    assert result["max_abs_diff"] < 1e-4
    assert eager["predictions"] == exported["predictions"]
    assert eager["predictions"][0]["num_tokens"] >= 1
    program = torch.export.load(result["pt2"]).module()
    model = model_from_checkpoint(load_checkpoint(run / BEST))
    assert not any("lora_" in name for name, _ in model.named_parameters())  # merged
    for batch, length in ((1, 32), (3, 7)):
        ids = torch.randint(300, (batch, length))
        with torch.no_grad():
            torch.testing.assert_close(program(ids), model(ids), atol=1e-4, rtol=1e-4)


def test_a_stopped_fine_tuning_resumes_exactly(
    fine_tuned: tuple[Config, Path], base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, unbroken = fine_tuned
    config = settings(base, tmp_path)
    real_step, count = loop.train_step, [0]

    def step(*args, **kwargs):
        count[0] += 1
        if count[0] == 5:
            os.kill(os.getpid(), signal.SIGINT)
        return real_step(*args, **kwargs)

    monkeypatch.setattr(loop, "train_step", step)
    with pytest.raises(Interrupted):
        train(config)
    monkeypatch.undo()
    run = (tmp_path / "latest").resolve()
    train(settings(base, tmp_path), resume=run)
    assert perplexities(run) == pytest.approx(perplexities(unbroken), rel=1e-6)
    final = load_checkpoint(run / LAST)["model"]
    reference = load_checkpoint(unbroken / LAST)["model"]
    for name, tensor in reference.items():
        torch.testing.assert_close(final[name], tensor, rtol=1e-6, atol=1e-7)


def test_rank_0_fine_tunes_every_weight(base: Path, tmp_path: Path) -> None:
    config = settings(base, tmp_path, "model.lora_rank=0", "trainer.epochs=1", "trainer.lr=1e-3")
    state = load_checkpoint(Path(train(config)["run_dir"]) / LAST)
    pretrained = transformers.GPT2LMHeadModel.from_pretrained(base).state_dict()
    assert not any("lora_" in name for name in state["model"])
    moved = [not torch.equal(state["model"]["model." + k], v) for k, v in pretrained.items()]
    assert sum(moved) > 0.9 * len(moved)  # every weight but buffers such as the causal mask


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], r"model\.pretrained = '.*nowhere' is not a directory"),
        (["data.context_length=128"], r"data\.context_length = 128 is longer than"),
    ],
)
def test_a_model_it_cannot_use_is_one_config_error(
    base: Path, tmp_path: Path, extra: list[str], message: str
) -> None:
    where = tmp_path / "nowhere" if not extra else base
    with pytest.raises(ConfigError, match=message):
        train(settings(where, tmp_path / "runs", *extra))
    assert not (tmp_path / "runs").exists()
