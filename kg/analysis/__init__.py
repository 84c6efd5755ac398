"""Analyses that derive facts from the loaded graph and write them back as explicit relationships.

One analysis per module: policy evaluation, effective access, privilege escalation, network
reachability, control coverage. `kg.analysis.pipeline` runs them in order after every load.
"""
