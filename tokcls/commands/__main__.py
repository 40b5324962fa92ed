"""python -m tokcls.commands [text_classification] > docs/[text_]spec_reference.md: the reference of every command's spec."""

import sys

from tokcls.commands import REGISTRIES, TOKEN
from tokcls.config.reference import render_reference

program = sys.argv[1] if len(sys.argv) > 1 else TOKEN
print(render_reference(REGISTRIES[program].schemas, None if program == TOKEN else program), end="")
