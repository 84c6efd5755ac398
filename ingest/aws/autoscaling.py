"""Auto Scaling groups and the launch template (and version) they launch instances from.

A group launching from a template's default or latest version launches whatever a new default
version says (an escalation technique on launch templates, kg.analysis.privesc).
"""

from __future__ import annotations

from ingest.aws._account_records import AccountRecords
from ingest.aws._shapes import Item, account_regions, listed
from ingest.aws.collect import CallContext
from ingest.aws.ec2launchtemplates import template_arn
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords

SCOPE = "region"
CLIENT = "autoscaling"


def collect(ctx: CallContext) -> None:
    ctx.call(CLIENT, "describe_auto_scaling_groups")


def _template(group: Item) -> Item | None:
    """The group's launch template specification: its own, or its mixed instances policy's."""
    own = group.child("LaunchTemplate")
    if own.optional_string("LaunchTemplateId"):
        return own
    mixed = group.child("MixedInstancesPolicy").child("LaunchTemplate")
    spec = mixed.child("LaunchTemplateSpecification")
    return spec if spec.optional_string("LaunchTemplateId") else None


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    for account_id, region in account_regions(snapshot):
        out = AccountRecords(records, account_id, region)
        groups = listed(
            snapshot,
            account_id,
            region,
            CLIENT,
            "describe_auto_scaling_groups",
            "AutoScalingGroups",
        )
        for group in groups:
            spec = _template(group)
            template_id = spec.optional_string("LaunchTemplateId") if spec else None
            ref = out.owned(
                "AutoScalingGroup",
                group.string("AutoScalingGroupARN"),
                name=group.string("AutoScalingGroupName"),
                launch_template_id=template_id,
                # AWS launches from the default version when the group names none.
                launch_template_version=(spec.optional_string("Version") or "$Default")
                if spec
                else None,
                desired_capacity=group.optional_int("DesiredCapacity"),
            )
            if template_id:
                arn = template_arn(region, account_id, template_id)
                out.rel("LAUNCHES_FROM", ref, ("Ec2LaunchTemplate", arn))
    return records
