{% include "tests/tasks/language/test_sampling.py" %}
