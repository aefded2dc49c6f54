{% include "src/cli.py" %}
