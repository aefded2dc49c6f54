{% include "src/keras/norms.py" %}
