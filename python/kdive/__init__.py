# The `kdive` Python module: drgn's API on kdive's engine (the same classes as
# `import drgn` gives inside kdive), for scripts that name kdive directly.
from drgn import *  # noqa: F401,F403
from drgn import Program, Object, Type, set_default_prog, get_default_prog  # noqa: F401
