{% include "src/tasks/audio/melscale.py" %}
