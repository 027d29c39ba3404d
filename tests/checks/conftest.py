"""The check tests share their rule cases through ``rule_cases.py`` (importlib import mode)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # for `import rule_cases`
