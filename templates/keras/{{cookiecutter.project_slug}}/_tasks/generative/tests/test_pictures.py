{% include "tests/tasks/generative/test_pictures.py" %}
