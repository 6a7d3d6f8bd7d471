"""The post composer's pure domain rules: no storage, no GUI, no ports.

- ``model``: ``Post``, ``Variant``, ``PostState``, ``Transition``, ``Comment``, ``Change``…
- ``variants``: writing a post (master text, per-platform variants, platforms, media); an edit
  after approval sends the post back to review.
- ``workflow``: the two-person workflow, ``transition(post, to, actor, now, ...)``.
- ``changes``: ``changes_since_approval(post)``, a word-level diff for the approver.
- ``readiness``: problems that block submitting, approving and publishing.
- ``advice``: hints that never block (call to action, images, promotion share, frequency).
- ``templates``, ``observances``, ``hashtags``: content help from editable files in
  ``resources/``.

Errors are in ``core.composer.errors``; each has a stable ``code`` for the GUI to word.
"""

from core.composer.advice import advise
from core.composer.changes import changes_since_approval, word_diff
from core.composer.model import (
    Advice,
    ApprovedSnapshot,
    Change,
    ChangeKind,
    Comment,
    DiffOp,
    DiffSegment,
    Post,
    PostState,
    Problem,
    Transition,
    Variant,
)
from core.composer.observances import Suggestion, upcoming
from core.composer.readiness import problems
from core.composer.templates import Template, default_templates, render_template
from core.composer.variants import (
    edit_variant,
    new_post,
    reopened,
    reset_to_master,
    set_master,
    set_media,
    set_platforms,
    variant_text,
)
from core.composer.workflow import inconsistencies, is_due, new_comment, transition

__all__ = [
    "Advice",
    "ApprovedSnapshot",
    "Change",
    "ChangeKind",
    "Comment",
    "DiffOp",
    "DiffSegment",
    "Post",
    "PostState",
    "Problem",
    "Suggestion",
    "Template",
    "Transition",
    "Variant",
    "advise",
    "changes_since_approval",
    "default_templates",
    "edit_variant",
    "inconsistencies",
    "is_due",
    "new_comment",
    "new_post",
    "problems",
    "render_template",
    "reopened",
    "reset_to_master",
    "set_master",
    "set_media",
    "set_platforms",
    "transition",
    "upcoming",
    "variant_text",
    "word_diff",
]
