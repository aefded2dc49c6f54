{% include "src/tasks/text/scores.py" %}
