// name: coverage-rows
// title: Control coverage: every control's status for the organization, each OU and account
// description: One row per target (organization, OU, account), control and region, with the evidence and remediation; null filters match everything. account matches an account id or name.
// layer: reference
// params: account=null, layer=null, capability=null, status=null, region=null
MATCH (target)-[c:HAS_COVERAGE]->(control:Control)
WHERE ($layer IS NULL OR control.layer = $layer)
  AND ($capability IS NULL OR control.capability = $capability)
  AND ($status IS NULL OR c.status = $status)
  AND ($region IS NULL OR c.region = $region)
  AND ($account IS NULL OR (target:Account AND (target.account_id = $account OR target.name = $account)))
WITH target, c, control,
     CASE WHEN target:Account THEN 'account'
          WHEN target:OrganizationalUnit THEN 'organizational_unit'
          ELSE 'organization' END AS target_kind
RETURN target_kind,
       CASE WHEN target:Account THEN target.account_id ELSE target.arn END AS target_id,
       CASE WHEN target:Account THEN target.account_id END AS account_id,
       CASE WHEN target:Account THEN target.name END AS account_name,
       CASE target_kind WHEN 'account' THEN target.ou_path
                        WHEN 'organizational_unit' THEN target.path
                        ELSE 'Root' END AS ou_path,
       CASE WHEN c.region = 'global' THEN null ELSE c.region END AS region,
       control.id AS control_id, control.title AS title, control.layer AS layer,
       control.capability AS capability, control.service AS service, c.status AS status,
       c.scope AS scope, c.evidence AS evidence, c.reason AS reason,
       control.remediation AS remediation
ORDER BY target_kind = 'account', ou_path, account_name, layer, control_id, region
