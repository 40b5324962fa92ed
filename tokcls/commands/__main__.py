"""python -m tokcls.commands > docs/spec_reference.md: the reference of every command's spec."""
from tokcls.commands import SCHEMAS
from tokcls.config.reference import render_reference

print(render_reference(SCHEMAS), end="")
