// name: coverage-matrix
// title: Control coverage matrix: per organization, OU and account, the verdicts of each layer or capability by status
// description: One row per target (organization, OU, account) with its verdicts counted per column and status: by 'layer' or 'capability'. The filters are those of coverage-rows (null matches everything); the counts add up to its rows.
// layer: reference
// params: by='layer', account=null, layer=null, capability=null, status=null, region=null
MATCH (target)-[c:HAS_COVERAGE]->(control:Control)
WHERE ($layer IS NULL OR control.layer = $layer)
  AND ($capability IS NULL OR control.capability = $capability)
  AND ($status IS NULL OR c.status = $status)
  AND ($region IS NULL OR c.region = $region)
  AND ($account IS NULL OR (target:Account AND (target.account_id = $account OR target.name = $account)))
WITH target, CASE $by WHEN 'capability' THEN control.capability ELSE control.layer END AS column,
     c.status AS status, count(*) AS verdicts
WITH target, collect({column: column, status: status, verdicts: verdicts}) AS tallies,
     CASE WHEN target:Account THEN 'account'
          WHEN target:OrganizationalUnit THEN 'organizational_unit'
          ELSE 'organization' END AS target_kind
RETURN target_kind,
       CASE WHEN target:Account THEN target.account_id END AS account_id,
       CASE WHEN target:Account THEN target.name END AS account_name,
       CASE target_kind WHEN 'account' THEN target.ou_path
                        WHEN 'organizational_unit' THEN target.path
                        ELSE 'Root' END AS ou_path,
       tallies
ORDER BY target_kind = 'account', ou_path, account_name
