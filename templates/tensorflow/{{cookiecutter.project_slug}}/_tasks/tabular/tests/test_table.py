{% include "tests/tasks/tabular/test_table.py" %}
