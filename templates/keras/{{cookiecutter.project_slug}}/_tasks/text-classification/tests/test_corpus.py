{% include "tests/tasks/text/test_corpus.py" %}
