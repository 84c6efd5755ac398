"""The loader rejects a broken catalog with one line naming the file, the entry and the field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kg.catalog import CatalogError, read_catalog
from kg.errors import KgError
from tests.unit.catalog.conftest import Entries, edit, entry

Change = Callable[[Entries], object]


def _set(entry_id: str, field: str, value: object) -> Change:
    return lambda entries: entry(entries, entry_id).__setitem__(field, value)


def _set_param(entry_id: str, name: str, value: object) -> Change:
    return lambda entries: entry(entries, entry_id)["check"]["params"].__setitem__(name, value)


def _drop_param(entry_id: str, name: str) -> Change:
    return lambda entries: entry(entries, entry_id)["check"]["params"].pop(name)


def _move_to_other_file(entries: Entries) -> None:
    entries.append(dict(entries[0], id="ORG-MOVED-HERE", layer="account"))


def _duplicate_id(entries: Entries) -> None:
    entries.append(dict(entries[0], id="ACCT-GUARDDUTY-ENABLED", layer="network"))


BROKEN = [
    pytest.param(
        "controls_organization.yaml",
        _set("ORG-ALL-FEATURES", "layer", "galaxy"),
        "controls_organization.yaml: ORG-ALL-FEATURES: layer: 'galaxy' is not one of",
        id="unknown-layer",
    ),
    pytest.param(
        "controls_organization.yaml",
        _move_to_other_file,
        "ORG-MOVED-HERE: layer: 'account' control in controls_organization.yaml",
        id="control-in-wrong-layer-file",
    ),
    pytest.param(
        "controls_network.yaml",
        _duplicate_id,
        "controls: id 'ACCT-GUARDDUTY-ENABLED' appears twice",
        id="duplicate-id",
    ),
    pytest.param(
        "controls_account.yaml",
        _set("ACCT-MACIE-ENABLED", "id", "acct_macie"),
        "acct_macie: id: 'acct_macie' is not upper-case words joined by hyphens",
        id="malformed-id",
    ),
    pytest.param(
        "controls_account.yaml",
        _set("ACCT-MACIE-ENABLED", "capability", "luck"),
        "ACCT-MACIE-ENABLED: capability: 'luck' is not one of",
        id="unknown-capability",
    ),
    pytest.param(
        "controls_account.yaml",
        _set("ACCT-MACIE-ENABLED", "service", "crystal-ball"),
        "ACCT-MACIE-ENABLED: service: 'crystal-ball' is not one of",
        id="unknown-service",
    ),
    pytest.param(
        "controls_account.yaml",
        _set("ACCT-MACIE-ENABLED", "severity", "catastrophic"),
        "ACCT-MACIE-ENABLED: severity: 'catastrophic' is not one of",
        id="unknown-severity",
    ),
    pytest.param(
        "controls_resources.yaml",
        _set("RES-KMS-ROTATION", "scope", "galaxy"),
        "RES-KMS-ROTATION: scope: 'galaxy' is not one of",
        id="unknown-scope",
    ),
    pytest.param(
        "controls_resources.yaml",
        _set("RES-KMS-ROTATION", "reference", "http://docs.aws.amazon.com/kms/"),
        "RES-KMS-ROTATION: reference: 'http://docs.aws.amazon.com/kms/' is not an https URL",
        id="plain-http-reference",
    ),
    pytest.param(
        "controls_resources.yaml",
        _set("RES-KMS-ROTATION", "observed_by", ["kms:ListKeys"]),
        "RES-KMS-ROTATION: observed_by: 'kms:ListKeys' is not <boto3 client>.<method>",
        id="observed-by-not-a-boto3-call",
    ),
    pytest.param(
        "controls_resources.yaml",
        _set("RES-KMS-ROTATION", "satisfed_by", ["ACCT-MACIE-ENABLED"]),
        "RES-KMS-ROTATION: satisfed_by: unknown field",
        id="misspelt-field",
    ),
    pytest.param(
        "controls_resources.yaml",
        _set("RES-KMS-ROTATION", "satisfied_by", ["RES-NOT-THERE"]),
        "RES-KMS-ROTATION: satisfied_by: 'RES-NOT-THERE' is not a control of the catalog",
        id="satisfied-by-unknown-control",
    ),
    pytest.param(
        "controls_resources.yaml",
        _set("RES-KMS-ROTATION", "satisfied_by", ["RES-KMS-ROTATION"]),
        "RES-KMS-ROTATION: satisfied_by: names the control itself",
        id="satisfied-by-itself",
    ),
    pytest.param(
        "controls_organization.yaml",
        lambda entries: entry(entries, "ORG-SCP-DENY-LEAVE")["check"].__setitem__("kind", "magic"),
        "ORG-SCP-DENY-LEAVE: check: kind: 'magic' is not a check kind of checks.yaml",
        id="unknown-check-kind",
    ),
    pytest.param(
        "controls_organization.yaml",
        _drop_param("ORG-SCP-DENY-LEAVE", "actions"),
        "ORG-SCP-DENY-LEAVE: check.params.actions: required by check kind "
        "org_policy_denies_actions",
        id="missing-required-param",
    ),
    pytest.param(
        "controls_organization.yaml",
        _set_param("ORG-SCP-DENY-LEAVE", "colour", "red"),
        "ORG-SCP-DENY-LEAVE: check.params.colour: not a param of check kind "
        "org_policy_denies_actions",
        id="unknown-param",
    ),
    pytest.param(
        "controls_organization.yaml",
        _set_param("ORG-SCP-DENY-LEAVE", "attached_at", "everywhere"),
        "ORG-SCP-DENY-LEAVE: check.params.attached_at: 'everywhere' is not one of root, inherited",
        id="param-value-not-allowed",
    ),
    pytest.param(
        "controls_network.yaml",
        _set_param("NET-SG-NO-ADMIN-PORTS-OPEN", "ports", "22"),
        "NET-SG-NO-ADMIN-PORTS-OPEN: check.params.ports: must be a non-empty list of integers",
        id="param-of-wrong-type",
    ),
    pytest.param(
        "controls_network.yaml",
        _set_param("NET-SG-NO-ADMIN-PORTS-OPEN", "ports", [True]),
        "NET-SG-NO-ADMIN-PORTS-OPEN: check.params.ports: must be a non-empty list of integers",
        id="boolean-is-not-a-port",
    ),
    pytest.param(
        "controls_resources.yaml",
        _set_param("RES-S3-DEFAULT-ENCRYPTION", "expect", [{"property": "x", "operator": "is"}]),
        "RES-S3-DEFAULT-ENCRYPTION: check.params.expect[0]: operator must be one of",
        id="unknown-operator",
    ),
    pytest.param(
        "controls_resources.yaml",
        _set_param("RES-S3-DEFAULT-ENCRYPTION", "expect", [{"property": "x", "operator": "in"}]),
        "RES-S3-DEFAULT-ENCRYPTION: check.params.expect[0]: operator in needs a value",
        id="condition-without-value",
    ),
    pytest.param(
        "controls_resources.yaml",
        _set_param(
            "RES-S3-DEFAULT-ENCRYPTION",
            "expect",
            [{"property": "x", "operator": "at_least", "value": "14"}],
        ),
        "RES-S3-DEFAULT-ENCRYPTION: check.params.expect[0]: operator at_least needs a number",
        id="at-least-needs-a-number",
    ),
    pytest.param(
        "controls_resources.yaml",
        _set_param(
            "RES-S3-DEFAULT-ENCRYPTION",
            "expect",
            [{"property": "Encryption", "operator": "is_set"}],
        ),
        "RES-S3-DEFAULT-ENCRYPTION: check.params.expect[0]: property must be a snake_case",
        id="property-not-snake-case",
    ),
    pytest.param(
        "controls_resources.yaml",
        _drop_param("RES-S3-DEFAULT-ENCRYPTION", "expect"),
        "RES-S3-DEFAULT-ENCRYPTION: check.params: needs one of expect, expect_any",
        id="node-property-with-nothing-to-test",
    ),
    pytest.param(
        "controls_organization.yaml",
        _set("ORG-GUARDDUTY-DELEGATED-ADMIN", "scope", "resource"),
        "ORG-GUARDDUTY-DELEGATED-ADMIN: scope: 'resource' is not a scope check kind "
        "delegated_admin_registered can judge",
        id="scope-the-check-kind-cannot-judge",
    ),
    pytest.param(
        "services.yaml",
        _set("guardduty", "capabilities", ["threat_detection", "clairvoyance"]),
        "services.yaml: guardduty: capabilities: 'clairvoyance' is not one of",
        id="service-with-unknown-capability",
    ),
    pytest.param(
        "services.yaml",
        _set("guardduty", "service_principal", "guardduty"),
        "services.yaml: guardduty: service_principal: 'guardduty' is not <name>.amazonaws.com",
        id="malformed-service-principal",
    ),
    pytest.param(
        "layers.yaml",
        _set("network", "order", 1),
        "layers.yaml: order '1' appears twice",
        id="two-layers-share-an-order",
    ),
    pytest.param(
        "checks.yaml",
        lambda entries: entry(entries, "node_property")["params"]["label"].__setitem__(
            "type", "colour"
        ),
        "checks.yaml: node_property: params.label: type: 'colour' is not one of",
        id="param-type-unknown",
    ),
]


@pytest.mark.parametrize(("file_name", "change", "message"), BROKEN)
def test_a_broken_catalog_is_rejected_naming_file_entry_and_field(
    catalog_dir: Path, file_name: str, change: Change, message: str
) -> None:
    edit(catalog_dir, file_name, change)
    with pytest.raises(CatalogError) as raised:
        read_catalog(catalog_dir)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_the_unchanged_copy_loads(catalog_dir: Path) -> None:
    """The broken-catalog cases above fail because of their change, not because of the copy."""
    assert len(read_catalog(catalog_dir).controls) >= 60


def test_invalid_yaml_is_reported_with_its_line(catalog_dir: Path) -> None:
    (catalog_dir / "layers.yaml").write_text("- id: organization\n  title: [unclosed\n")
    with pytest.raises(CatalogError, match=r"^layers\.yaml: invalid YAML at line \d+"):
        read_catalog(catalog_dir)


def test_a_missing_layer_file_is_reported(catalog_dir: Path) -> None:
    (catalog_dir / "controls_network.yaml").unlink()
    with pytest.raises(CatalogError, match=r"^controls_network\.yaml: missing from the catalog$"):
        read_catalog(catalog_dir)


def test_a_file_that_is_not_a_list_is_reported(catalog_dir: Path) -> None:
    (catalog_dir / "capabilities.yaml").write_text("id: security_governance\n")
    with pytest.raises(CatalogError, match=r"^capabilities\.yaml: expected a list of entries$"):
        read_catalog(catalog_dir)


def test_catalog_errors_are_user_errors() -> None:
    """The CLI prints KgErrors as one line and exits non-zero instead of a traceback."""
    assert issubclass(CatalogError, KgError)


def test_declared_defaults_are_filled_into_params(catalog_dir: Path) -> None:
    catalog = read_catalog(catalog_dir)
    open_ports = catalog.control("NET-SG-NO-ADMIN-PORTS-OPEN").check.params
    assert open_ports["sources"] == ("0.0.0.0/0", "::/0")
    flow_logs = catalog.control("NET-VPC-FLOW-LOGS").check.params
    assert flow_logs["presence"] == "present"


def test_params_cannot_be_changed_after_loading(catalog_dir: Path) -> None:
    params = read_catalog(catalog_dir).control("ORG-SCP-DENY-LEAVE").check.params
    with pytest.raises(TypeError):
        params["actions"] = ("organizations:*",)  # type: ignore[index]
    assert isinstance(params["actions"], tuple)


def test_plain_params_are_json_ready(catalog_dir: Path) -> None:
    check = read_catalog(catalog_dir).control("RES-KMS-ROTATION").check
    plain = check.plain_params()
    assert plain["where"][0] == {
        "property": "key_manager",
        "operator": "equals",
        "value": "CUSTOMER",
    }
    assert isinstance(plain["expect"], list)
