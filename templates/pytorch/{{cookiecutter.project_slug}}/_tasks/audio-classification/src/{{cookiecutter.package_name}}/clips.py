{% include "src/tasks/audio/clips.py" %}
