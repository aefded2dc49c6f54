{% include "src/tasks/tabular/table.py" %}
