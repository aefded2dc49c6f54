{% include "tests/tasks/language/test_corpus.py" %}
