{% include "src/tasks/text/corpus.py" %}
