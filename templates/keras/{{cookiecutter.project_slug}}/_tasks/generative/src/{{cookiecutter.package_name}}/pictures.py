{% include "src/tasks/generative/pictures.py" %}
