{% include "src/pytorch/gathered.py" %}
