"""`python -m {{ cookiecutter.package_name }}`, which is also what `torchrun -m` starts on every rank."""

import sys

from .cli import main

sys.exit(main())
