{% include "src/metrics_csv.py" %}
