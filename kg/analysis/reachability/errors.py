"""The one error type of the reachability inputs."""

from kg.errors import KgError


class ReachabilityInputError(KgError):
    """Network facts that do not have a shape AWS would return.

    The message names where the fact came from and the field at fault, for example
    ``describe_network_acls: NetworkAcls[0].Entries[2].CidrBlock: '10.0.0.0/33' is not a CIDR
    block``.
    """
