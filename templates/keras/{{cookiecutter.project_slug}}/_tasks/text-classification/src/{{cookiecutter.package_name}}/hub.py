{% include "src/keras/hub.py" %}
