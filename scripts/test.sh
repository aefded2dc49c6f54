#!/usr/bin/env bash
# The whole test suite from a fresh clone: makes .venv with scaffold, its test tools and the frameworks
# the end-to-end tests install generated projects against (CPU builds, pinned), then runs pytest.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -m "not e2e"`.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]" -r tests/frameworks.txt
exec .venv/bin/python -m pytest "$@"
