{% include "src/tasks/classes/scores.py" %}
