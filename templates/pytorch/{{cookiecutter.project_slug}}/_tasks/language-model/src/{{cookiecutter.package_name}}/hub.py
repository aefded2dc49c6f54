{% include "src/pytorch/hub.py" %}
