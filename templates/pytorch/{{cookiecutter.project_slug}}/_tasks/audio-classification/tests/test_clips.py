{% include "tests/tasks/audio/test_clips.py" %}
