{% include "src/scalars.py" %}
