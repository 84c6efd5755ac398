"""The shipped catalog is complete and consistent with the graph model and the AWS APIs."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from importlib.resources import files
from typing import Any

import botocore.session
import pytest
from botocore import xform_name

from ingest.aws.collect import READ_ONLY_PREFIXES
from kg.catalog import Catalog, Control, load_catalog, read_catalog
from kg.model import load_schema
from kg.model.schema import LAYERS, Schema
from kg.model.security_services import ACCOUNT_SETTINGS, CONTROL_STATE, SERVICE_IDS

# Labels the organization and identity ingest will declare; until a label is declared its
# properties cannot be checked here, and any other undeclared label is a mistake in the catalog.
PENDING_LABELS = {
    "Organization",
    "OrganizationRoot",
    "User",
    "Role",
    "RootUser",
    "IAMPolicy",
    "PasswordPolicy",
}
ID_PREFIX = {
    "organization": "ORG-",
    "organizational_unit": "OU-",
    "account": "ACCT-",
    "network": "NET-",
    "principals": "PRIN-",
    "resources": "RES-",
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema()


def test_catalog_loads_from_the_package_resources(catalog: Catalog) -> None:
    assert load_catalog() is catalog  # read once per process
    assert read_catalog(files("kg.catalog")) == catalog
    assert len(catalog.controls) >= 60


def test_layers_are_the_six_of_the_graph_model_in_order(catalog: Catalog) -> None:
    assert [layer.id for layer in catalog.layers] == [
        layer for layer in LAYERS if layer != "reference"
    ]
    assert [layer.order for layer in catalog.layers] == [1, 2, 3, 4, 5, 6]


def test_capabilities_are_the_nine_of_the_caf_security_perspective(catalog: Catalog) -> None:
    assert {capability.id for capability in catalog.capabilities} == {
        "security_governance",
        "security_assurance",
        "identity_and_access_management",
        "threat_detection",
        "vulnerability_management",
        "infrastructure_protection",
        "data_protection",
        "application_security",
        "incident_response",
    }


def test_every_layer_and_capability_has_controls(catalog: Catalog) -> None:
    for layer in catalog.layers:
        assert catalog.controls_at(layer.id), f"no control at layer {layer.id}"
    covered = {control.capability for control in catalog.controls}
    assert covered == {capability.id for capability in catalog.capabilities}


def test_control_ids_are_unique_well_formed_and_name_their_layer(catalog: Catalog) -> None:
    ids = [control.id for control in catalog.controls]
    assert len(ids) == len(set(ids))
    for control in catalog.controls:
        assert re.fullmatch(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)+", control.id), control.id
        assert control.id.startswith(ID_PREFIX[control.layer]), control.id


def test_references_point_at_aws_documentation(catalog: Catalog) -> None:
    for control in catalog.controls:
        assert control.reference.startswith("https://docs.aws.amazon.com/"), control.id


def test_observing_calls_are_real_read_only_boto3_methods(catalog: Catalog) -> None:
    for control in catalog.controls:
        for call in control.observed_by:
            client, method = call.split(".")
            assert method.startswith(READ_ONLY_PREFIXES), f"{control.id}: {call}"
            assert method in _boto3_methods(client), f"{control.id}: {call} is not in botocore"


def test_services_that_run_org_wide_have_a_service_principal(catalog: Catalog) -> None:
    for service in catalog.services:
        if service.dual_scope:
            assert service.service_principal, service.id


def test_every_security_state_service_is_a_catalog_service(catalog: Catalog) -> None:
    """Control state nodes carry catalog service ids; the two lists must not drift apart."""
    catalog_services = {service.id for service in catalog.services}
    assert set(SERVICE_IDS) <= catalog_services


def test_service_and_setting_checks_name_observed_states(catalog: Catalog) -> None:
    for control in _of_kind(catalog, "service_enabled"):
        assert control.check.params["service"] in SERVICE_IDS, control.id
    for control in _of_kind(catalog, "account_setting_enabled"):
        assert control.check.params["setting"] in ACCOUNT_SETTINGS, control.id


def test_state_conditions_name_properties_of_control_state_nodes(
    catalog: Catalog, schema: Schema
) -> None:
    state_properties = {
        prop
        for node in schema.nodes.values()
        if CONTROL_STATE in node.extra_labels
        for prop in node.properties
    }
    for control in _of_kind(catalog, "service_enabled"):
        for prop in _condition_properties(control.check.params, "expect", "expect_any"):
            assert prop in state_properties, f"{control.id}: {prop}"


def test_labels_and_properties_named_by_checks_are_in_the_graph_model(
    catalog: Catalog, schema: Schema
) -> None:
    for control in catalog.controls:
        for label, props in _label_properties(control):
            if label not in schema.nodes:
                assert label in PENDING_LABELS, f"{control.id}: unknown label {label}"
                continue
            node = schema.nodes[label]
            declared = {node.key, *node.properties}
            for prop in props:
                assert prop in declared, f"{control.id}: {label}.{prop} is not declared"


def test_relationships_named_by_checks_are_in_the_graph_model(
    catalog: Catalog, schema: Schema
) -> None:
    for control in _of_kind(catalog, "resource_relationship"):
        params = control.check.params
        source, target = params["other_label"], params["label"]
        if params["direction"] == "out":
            source, target = target, source
        if {source, target} & PENDING_LABELS:
            continue
        schema.rel(params["relationship"], source, target)  # raises when not declared


def test_org_policy_attachment_matches_the_scope(catalog: Catalog) -> None:
    """Root attachment is one verdict for the organization; inherited ones judge every OU."""
    expected_scope = {"root": "organization", "inherited": "organizational_unit"}
    for control in catalog.controls:
        attached_at = control.check.params.get("attached_at")
        if attached_at is not None:
            assert control.scope == expected_scope[attached_at], control.id


def test_a_control_is_satisfied_only_by_controls_of_outer_layers(catalog: Catalog) -> None:
    """An organization-wide setting can stand in for an account's own, never the reverse."""
    for control in catalog.controls:
        for other_id in control.satisfied_by:
            other = catalog.control(other_id)
            assert catalog.layer(other.layer).order <= catalog.layer(control.layer).order


@pytest.mark.parametrize(
    ("control_id", "kind", "expected"),
    [
        (
            "ORG-SCP-DENY-LEAVE",
            "org_policy_denies_actions",
            {"attached_at": "root", "actions": ("organizations:LeaveOrganization",)},
        ),
        (
            "OU-SCP-PROTECT-GUARDDUTY",
            "org_policy_denies_actions",
            {
                "actions": (
                    "guardduty:DeleteDetector",
                    "guardduty:DisassociateFromAdministratorAccount",
                )
            },
        ),
        (
            "OU-SCP-PROTECT-CLOUDTRAIL",
            "org_policy_denies_actions",
            {"actions": ("cloudtrail:StopLogging", "cloudtrail:DeleteTrail")},
        ),
        (
            "OU-RCP-S3-ORG-PERIMETER",
            "org_policy_denies_actions",
            {"condition_key": "aws:PrincipalOrgID"},
        ),
        (
            "ORG-S3-POLICY-BLOCK-PUBLIC-ACCESS",
            "org_policy_sets_attribute",
            {"policy_type": "S3_POLICY", "accepted": ("all",)},
        ),
        ("ACCT-GUARDDUTY-ENABLED", "service_enabled", {"service": "guardduty"}),
        (
            "ACCT-S3-ACCOUNT-BPA",
            "account_setting_enabled",
            {"setting": "s3_account_public_access_block"},
        ),
        (
            "ACCT-EBS-DEFAULT-ENCRYPTION",
            "account_setting_enabled",
            {"setting": "ebs_encryption_by_default"},
        ),
        ("ACCT-IMDSV2-DEFAULT", "account_setting_enabled", {"setting": "imds_defaults"}),
        ("NET-SG-NO-ADMIN-PORTS-OPEN", "sg_ingress_not_open", {"sources": ("0.0.0.0/0", "::/0")}),
        ("RES-LAMBDA-URL-AUTH", "node_property", {"label": "LambdaFunction"}),
        ("RES-KMS-ROTATION", "node_property", {"label": "KmsKey"}),
        ("RES-SECRET-ROTATION", "node_property", {"label": "Secret"}),
    ],
)
def test_the_issues_examples_are_in_the_catalog(
    catalog: Catalog, control_id: str, kind: str, expected: Mapping[str, Any]
) -> None:
    check = catalog.control(control_id).check
    assert check.kind == kind
    for name, value in expected.items():
        assert check.params[name] == value, name


def test_the_organization_trail_must_be_multi_region_and_logging(catalog: Catalog) -> None:
    where = catalog.control("ORG-CLOUDTRAIL-ORG-TRAIL").check.plain_params()["where"]
    required = {(c["property"], c["value"]) for c in where}
    assert required == {
        ("is_organization_trail", True),
        ("is_multi_region", True),
        ("is_logging", True),
    }
    validation = catalog.control("ORG-CLOUDTRAIL-LOG-VALIDATION").check.plain_params()
    assert validation["expect"] == [
        {"property": "log_file_validation", "operator": "equals", "value": True}
    ]


def test_admin_and_database_ports_are_guarded(catalog: Catalog) -> None:
    admin = catalog.control("NET-SG-NO-ADMIN-PORTS-OPEN").check.params["ports"]
    database = catalog.control("NET-SG-NO-DB-PORTS-OPEN").check.params["ports"]
    assert {22, 3389} <= set(admin)
    assert {3306, 5432, 1433} <= set(database)


def test_every_resource_policy_type_is_checked_for_untrusted_principals(catalog: Catalog) -> None:
    labels = {
        c.check.params["label"]
        for c in _of_kind(catalog, "resource_policy_no_untrusted_principals")
    }
    assert {
        "S3Bucket",
        "KmsKey",
        "SqsQueue",
        "SnsTopic",
        "Secret",
        "LambdaFunction",
        "EcrRepository",
    } <= labels


def test_security_services_are_protected_by_scps(catalog: Catalog) -> None:
    denied = {
        action
        for control in _of_kind(catalog, "org_policy_denies_actions")
        if control.check.params["policy_type"] == "SERVICE_CONTROL_POLICY"
        for action in control.check.params["actions"]
    }
    assert {
        "guardduty:DeleteDetector",
        "cloudtrail:StopLogging",
        "cloudtrail:DeleteTrail",
        "config:StopConfigurationRecorder",
        "securityhub:DisableSecurityHub",
        "access-analyzer:DeleteAnalyzer",
    } <= denied


def _of_kind(catalog: Catalog, kind: str) -> list[Control]:
    return [control for control in catalog.controls if control.check.kind == kind]


def _condition_properties(params: Mapping[str, Any], *names: str) -> Iterator[str]:
    for name in names:
        for condition in params.get(name, ()):
            yield condition["property"]


def _label_properties(control: Control) -> Iterator[tuple[str, set[str]]]:
    """The node labels a check names, each with the properties it reads on them."""
    params = control.check.params
    if "label" in params:
        props = set(_condition_properties(params, "where", "expect", "expect_any"))
        if "policy_property" in params:
            props.add(params["policy_property"])
        yield params["label"], props
    if "other_label" in params:
        yield params["other_label"], set(_condition_properties(params, "other_where"))


@cache
def _boto3_methods(client: str) -> frozenset[str]:
    model = botocore.session.get_session().get_service_model(client)
    return frozenset(xform_name(operation) for operation in model.operation_names)
