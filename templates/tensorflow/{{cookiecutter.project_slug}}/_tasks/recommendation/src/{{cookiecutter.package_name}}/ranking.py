{% include "src/tasks/recommendation/ranking.py" %}
