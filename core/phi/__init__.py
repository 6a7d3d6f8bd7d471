"""The PHI check: names, dates, numbers and health details that must not leave the practice.

``scan_text(text, known_names)`` is the public entry point (ARCHITECTURE.md, "Public core API");
it returns ``Finding`` objects whose ``kind`` is one of ``Kind``. The rules are small pure
modules (``names``, ``numbers``, ``dates``, ``context``) over word lists kept as editable
configuration in ``resources/phi/*.json`` (``Lexicon``), read and compiled once. Qt-free and
fast enough to run on every keystroke.
"""

from core.phi.lexicon import Lexicon, default_lexicon, lexicon_from, load_lexicon
from core.phi.model import MESSAGES, SPECIFICITY, Audience, Finding, Kind, Severity
from core.phi.scan import PhiRules, compile_rules, default_rules, scan_text

__all__ = [
    "MESSAGES",
    "SPECIFICITY",
    "Audience",
    "Finding",
    "Kind",
    "Lexicon",
    "PhiRules",
    "Severity",
    "compile_rules",
    "default_lexicon",
    "default_rules",
    "lexicon_from",
    "load_lexicon",
    "scan_text",
]
