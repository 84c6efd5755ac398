"""EC2 launch templates: the instance profile their default version launches with.

Whoever may write a new default version of a template launches its next instances with a user
data script of its choosing and the template's instance profile (an escalation technique,
kg.analysis.privesc). The default and latest versions are read, one call per template; older
versions are not.
"""

from __future__ import annotations

from ingest.aws._account_records import AccountRecords
from ingest.aws._shapes import Item, ResourceCalls, account_regions, listed, partition
from ingest.aws.collect import CallContext
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords

SCOPE = "region"
CLIENT = "ec2"
VERSIONS = ["$Default", "$Latest"]


def collect(ctx: CallContext) -> None:
    templates = ctx.call(CLIENT, "describe_launch_templates")
    for template in (templates or {}).get("LaunchTemplates", []):
        template_id = template["LaunchTemplateId"]
        ctx.call(
            CLIENT,
            "describe_launch_template_versions",
            template_id,
            LaunchTemplateId=template_id,
            Versions=VERSIONS,
        )


def template_arn(region: str, account_id: str, template_id: str) -> str:
    return f"arn:{partition(region)}:ec2:{region}:{account_id}:launch-template/{template_id}"


def _default_version(versions: Item | None) -> Item | None:
    for version in versions.children("LaunchTemplateVersions") if versions else []:
        if version.optional_bool("DefaultVersion"):
            return version
    return None


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    for account_id, region in account_regions(snapshot):
        out = AccountRecords(records, account_id, region)
        templates = listed(
            snapshot, account_id, region, CLIENT, "describe_launch_templates", "LaunchTemplates"
        )
        for template in templates:
            template_id = template.string("LaunchTemplateId")
            calls = ResourceCalls(snapshot, account_id, region, CLIENT, template_id)
            default = _default_version(
                calls.get("describe_launch_template_versions", "instance_profile")
            )
            profile = (
                default.child("LaunchTemplateData").child("IamInstanceProfile") if default else None
            )
            profile_arn = profile.optional_string("Arn") if profile else None
            ref = out.owned(
                "Ec2LaunchTemplate",
                template_arn(region, account_id, template_id),
                name=template.optional_string("LaunchTemplateName"),
                template_id=template_id,
                default_version=template.optional_int("DefaultVersionNumber"),
                latest_version=template.optional_int("LatestVersionNumber"),
                instance_profile_arn=profile_arn,
                instance_profile_name=profile.optional_string("Name") if profile else None,
                unknown=calls.unknown,
            )
            if profile_arn:
                out.rel("HAS_PROFILE", ref, ("InstanceProfile", profile_arn))
    return records
