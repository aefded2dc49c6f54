{% include "src/interrupts.py" %}
