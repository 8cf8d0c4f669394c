"""Signals of 申报, for the later stages that react to it without 申报 importing them."""

from django.dispatch import Signal

# Sent by ``services.transition`` inside its transaction, after the audit entry is written, with
# ``declaration``, ``name`` (the transition) and ``actor`` (None for a scheduled task). A receiver's writes
# commit or roll back with the transition; its outside effects belong in ``transaction.on_commit``.
declaration_transitioned = Signal()

# Sent by ``services.register_organisation`` inside its transaction with ``organisation``: a later stage may
# propose that it is a unit already known from a published list (认领).
organisation_registered = Signal()
