"""Refuse names that would produce a broken project, before anything is written."""

import json
import keyword
import re
import sys

# The answers arrive as data: a JSON document in a raw string. `tojson` escapes every quote, so no
# value can end the string or change this code.
ANSWERS = json.loads(
    r'''{{ {"package_name": cookiecutter.package_name, "project_slug": cookiecutter.project_slug} | tojson }}'''
)
package = ANSWERS["package_name"]
slug = ANSWERS["project_slug"]
# Importing the project under one of these names would shadow the library it depends on.
SHADOWED = {"torch", "tensorflow", "keras", "jax", "jaxlib", "numpy", "pandas", "pyarrow", "sklearn", "tokenizers", "tqdm", "tensorboard", "test", "tests", "src"}

problems = []
if not re.fullmatch(r"[a-z_][a-z0-9_]*", package) or keyword.iskeyword(package):
    problems.append(f"package name {package!r} is not a valid lowercase Python identifier")
elif package in sys.stdlib_module_names or package in SHADOWED:
    problems.append(f"package name {package!r} would shadow the module of the same name")
if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
    problems.append(f"project slug {slug!r} must be lowercase letters, digits and dashes")
if problems:
    print("; ".join(problems) + "; choose another project_name", file=sys.stderr)
    sys.exit(1)
