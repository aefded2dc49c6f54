{% include "tests/tasks/language/test_tokenizer.py" %}
