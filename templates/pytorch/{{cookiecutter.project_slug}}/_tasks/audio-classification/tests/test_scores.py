{% include "tests/tasks/classes/test_scores.py" %}
