// name: privesc-latent
// title: Escalations that do not work as deployed, or that kg could not decide
// description: Principals that hold every permission of an escalation technique, but where the technique fails on the estate as it stands (latent: a console password already set, two access keys, no broader policy version to set back to; one more change makes it work) or depends on a fact that was not collected (unknown), or whose permissions hold only under conditions kg cannot decide, such as an MFA session or a source address (conditional, the reason naming the condition keys). Derived COULD_ESCALATE_TO; never part of a privesc chain. `principal` filters on the principal or the target, `account` on the principal's account.
// layer: principals
// params: principal=null, account=null
MATCH (p:Principal)-[e:COULD_ESCALATE_TO]->(t:Principal)
WHERE ($principal IS NULL OR p.arn = $principal OR t.arn = $principal)
  AND ($account IS NULL OR p.account_id = $account)
RETURN p.arn AS principal, p.account_id AS account_id, t.arn AS target,
       e.technique AS technique, e.status AS status, e.reason AS reason, e.via AS via,
       e.permissions AS permissions, e.grants_admin AS grants_admin
ORDER BY principal, status, technique, target
