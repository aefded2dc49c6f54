METRICS = tuple(METRIC_MODES)  # the metrics.csv columns trainer.best_metric may name


@dataclass
class TaskConfig:
    """The task's sections of `Config`."""

    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)

    def validate(self) -> None:
        check_sections(self.data, self.model)
