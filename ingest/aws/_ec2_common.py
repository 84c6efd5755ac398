"""What every part of the EC2 transform shares: one account and region of responses, and names.

EC2 objects are keyed by ARN, built from the object's owner account. Some objects are visible from
more than one collected account (a VPC or subnet shared through RAM, both sides of a peering
connection, a transit gateway attachment): the owner states such an object when the snapshot
covers the owner's account and region (collected, or tried and failed: a failed account keeps
its earlier facts); otherwise, for an owner outside the snapshot, the account that sees it does.
That keeps one node per object, replaced when the account that stated it is reloaded.
"""

from __future__ import annotations

from ingest.aws._account_records import AccountRecords
from ingest.aws._shapes import Item, listed, partition, response
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords, NodeRef

CLIENT = "ec2"

ARN_RESOURCE_TYPES = {
    "Vpc": "vpc",
    "Subnet": "subnet",
    "RouteTable": "route-table",
    "InternetGateway": "internet-gateway",
    "EgressOnlyInternetGateway": "egress-only-internet-gateway",
    "NatGateway": "natgateway",
    "VpcPeeringConnection": "vpc-peering-connection",
    "TransitGatewayAttachment": "transit-gateway-attachment",
    "VpcEndpoint": "vpc-endpoint",
    "NetworkAcl": "network-acl",
    "SecurityGroup": "security-group",
    "NetworkInterface": "network-interface",
    "Ec2Instance": "instance",
    "FlowLog": "vpc-flow-log",
}


def ec2_arn(label: str, resource_id: str, account_id: str, region: str) -> str:
    kind = ARN_RESOURCE_TYPES[label]
    return f"arn:{partition(region)}:ec2:{region}:{account_id}:{kind}/{resource_id}"


class Ec2Region:
    """One collected account and region: its EC2 responses, and the nodes named so far."""

    def __init__(
        self,
        snapshot: Snapshot,
        account_id: str,
        region: str,
        covered: frozenset[tuple[str, str]],
        records: GraphRecords,
    ) -> None:
        self.snapshot = snapshot
        self.account_id = account_id
        self.region = region
        self.covered = covered
        self.out = AccountRecords(records, account_id, region)
        self._nodes: dict[str, NodeRef] = {}
        self.transit_attachments: dict[tuple[str, str], NodeRef] = {}  # (vpc, tgw) -> attachment
        self._prefix_lists: dict[str, list[str] | None] = {}
        # Read up front like every other list call, so each collected file is read and checked
        # even in a region whose rules and routes name no prefix list.
        self._prefix_list_names = {
            pl.string("PrefixListId"): pl.optional_string("PrefixListName") or ""
            for pl in self.items("describe_managed_prefix_lists", "PrefixLists")
        }

    def items(self, method: str, list_key: str) -> list[Item]:
        return listed(self.snapshot, self.account_id, self.region, CLIENT, method, list_key)

    def arn(
        self, label: str, resource_id: str, owner_id: str | None = None, region: str | None = None
    ) -> str:
        return ec2_arn(label, resource_id, owner_id or self.account_id, region or self.region)

    def register(
        self, label: str, resource_id: str, owner_id: str | None = None, region: str | None = None
    ) -> NodeRef:
        """Name an object this region's responses describe, so later references find it."""
        ref = (label, self.arn(label, resource_id, owner_id, region))
        self._nodes[resource_id] = ref
        return ref

    def node(self, label: str, resource_id: str, owner_id: str | None = None) -> NodeRef:
        """The node for an id: as registered from these responses, else named from its owner."""
        known = self._nodes.get(resource_id)
        if known is not None and known[0] == label:
            return known
        return (label, self.arn(label, resource_id, owner_id))

    def states(self, owner_id: str | None, region: str | None = None) -> bool:
        """Whether this account states an object with this owner (see the module docstring).

        `covered` holds the (account, region) pairs the snapshot's manifest names; an object whose
        home is one of them is stated there, anything else by whoever sees it.
        """
        home = (owner_id or self.account_id, region or self.region)
        return home == (self.account_id, self.region) or home not in self.covered

    def prefix_list_name(self, list_id: str) -> str | None:
        return self._prefix_list_names.get(list_id) or None

    def prefix_list_cidrs(self, list_id: str) -> list[str] | None:
        """The CIDRs of a managed prefix list, or None when its entries could not be read."""
        if list_id not in self._prefix_lists:
            answer = response(
                self.snapshot,
                self.account_id,
                self.region,
                CLIENT,
                "get_managed_prefix_list_entries",
                list_id,
            )
            self._prefix_lists[list_id] = (
                None
                if answer is None
                else sorted(entry.string("Cidr") for entry in answer.children("Entries"))
            )
        return self._prefix_lists[list_id]
