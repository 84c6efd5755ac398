"""Control coverage: the reference catalog in the graph, and which controls are in force where.

The catalog (kg/catalog) is loaded as reference nodes: the six layers, the nine CAF
capabilities, the security services and the controls, each control linked to its layer,
capability and service. The coverage analysis then states, for every organization, OU and
account (and region, for regional controls), the status of each applicable control as a
HAS_COVERAGE relationship carrying the status, the evidence and the reason, so a Browser user
can go from an account straight to the controls it lacks.
"""

from kg.model.schema import NodeSchema, RelSchema

_REFERENCE = {"id": "the catalog id", "title": "the title", "description": "what it is"}

NODES = (
    NodeSchema(
        label="Layer",
        key="id",
        layer="reference",
        description="One of the six layers of defense (organization down to resources).",
        scope="reference",
        properties={**_REFERENCE, "order": "position from the organization (1) down"},
        caption="title",
    ),
    NodeSchema(
        label="Capability",
        key="id",
        layer="reference",
        description="One of the nine AWS CAF security capabilities.",
        scope="reference",
        properties=_REFERENCE,
        caption="title",
    ),
    NodeSchema(
        label="SecurityService",
        key="id",
        layer="reference",
        description="An AWS security service or feature that controls are made of.",
        scope="reference",
        properties={
            **_REFERENCE,
            "service_principal": "its service principal, when it has one",
            "dual_scope": "it can run organization-wide through a delegated administrator",
        },
        caption="title",
    ),
    NodeSchema(
        label="Control",
        key="id",
        layer="reference",
        description="A concrete defensive control of the catalog: where it sits, how it is "
        "judged and how to put it in place.",
        scope="reference",
        properties={
            "id": "the stable control id, e.g. ACCT-GUARDDUTY-ENABLED",
            "title": "the title",
            "layer": "its layer id",
            "capability": "its capability id",
            "service": "its service id",
            "scope": "organization, organizational_unit, account, region or resource",
            "severity": "critical, high, medium or low",
            "check_kind": "the generic check that judges it",
            "in_place_when": "what counts as in place",
            "remediation": "one line on how to put it in place",
            "reference": "AWS documentation",
        },
        indexes=("layer", "capability"),
        caption="title",
    ),
)

_COVERAGE = {
    "status": "in_place, partial, missing, unknown (could not observe) or not_applicable",
    "region": "the region judged, or 'global' for controls that are not regional",
    "evidence": "what was looked at: the node and setting that decided the status",
    "reason": "why the status is what it is, in one sentence",
    "scope": "which scope put in force what was found in force: account (the account's own "
    "state), organization (what the organization or a service's administrator runs for it) or "
    "both; absent when nothing is",
}

RELS = (
    RelSchema(
        "AT_LAYER",
        "Control",
        "Layer",
        "reference",
        "The control sits at the layer.",
        scope="reference",
    ),
    RelSchema(
        "SERVES",
        "Control",
        "Capability",
        "reference",
        "The control serves the capability.",
        scope="reference",
    ),
    RelSchema(
        "USES",
        "Control",
        "SecurityService",
        "reference",
        "The control is made of the service or feature.",
        scope="reference",
    ),
    *(
        RelSchema(
            "HAS_COVERAGE",
            source,
            "Control",
            layer,
            f"The control's status for the {noun} (per region for regional controls).",
            scope="derived",
            properties=_COVERAGE,
            merge_on=("region",),
        )
        for source, layer, noun in (
            ("Organization", "organization", "organization"),
            ("OrganizationalUnit", "organizational_unit", "OU and what it inherits"),
            ("Account", "account", "account"),
        )
    ),
)
