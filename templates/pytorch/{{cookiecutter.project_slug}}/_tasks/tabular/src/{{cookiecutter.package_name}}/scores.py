{% include "src/tasks/tabular/scores.py" %}
