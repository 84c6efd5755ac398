"""The one error type of policy parsing and evaluation."""

from kg.errors import KgError


class PolicyError(KgError):
    """A policy document, or an evaluation input, that does not have a shape IAM accepts.

    The message names the policy (its ARN or id) and the element at fault, for example
    ``arn:aws:iam::111122223333:policy/Ops: Statement[2].Action: expected a string or a list of
    strings, got 3``.
    """
