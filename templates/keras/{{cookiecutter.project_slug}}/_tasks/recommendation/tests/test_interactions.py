{% include "tests/tasks/recommendation/test_interactions.py" %}
