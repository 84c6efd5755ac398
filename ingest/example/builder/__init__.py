"""Builders of AWS-shaped API responses, written in the snapshot layout.

Describe an organization with specs (organizations.Organization, account.AccountSpec and the
per-service specs), then `account.write_snapshot` answers every call the collectors make, in
AWS's own response shapes, so generated snapshots load exactly like collected ones.
"""
