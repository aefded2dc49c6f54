{% include "src/tasks/recommendation/interactions.py" %}
