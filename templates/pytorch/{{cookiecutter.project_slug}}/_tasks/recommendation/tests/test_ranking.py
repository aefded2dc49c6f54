{% include "tests/tasks/recommendation/test_ranking.py" %}
