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
Import from the modules: the package itself stays empty, so that touching one module (e.g. the
model, from storage) does not load the platform rules and the PHI scanner at start-up.
"""
