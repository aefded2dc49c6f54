{% include "src/config_io.py" %}
