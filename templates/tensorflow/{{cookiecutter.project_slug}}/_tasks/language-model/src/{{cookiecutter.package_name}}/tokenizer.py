{% include "src/tasks/language/tokenizer.py" %}
