{% include "src/tasks/text/tokenizer.py" %}
