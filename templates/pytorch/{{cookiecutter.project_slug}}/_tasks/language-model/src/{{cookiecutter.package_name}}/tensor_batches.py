{% include "src/pytorch/tensor_batches.py" %}
