{% include "src/tasks/language/corpus.py" %}
