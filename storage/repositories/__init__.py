"""Repositories implementing ``core.ports`` over one SQLAlchemy session each.

They return core dataclasses, never ORM rows, so nothing above ``storage`` can lazy-load from
a session that belongs to another thread.
"""
