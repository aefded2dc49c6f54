{% include "src/tasks/language/sampling.py" %}
