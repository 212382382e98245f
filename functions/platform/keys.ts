/**
 * Key builders for the single table. Every tenant item's partition key starts with
 * `TENANT#<tenantId>#`, so a repository cannot address an item without its tenant.
 *
 * Layout: each entity lives in its own partition (`TENANT#t#POST#<id>` / `POST`), so hot
 * tenants spread across partitions; lists go through GSI1 (`TENANT#t#POSTS` / sort value).
 * GSI2 holds cross-tenant work lists for crons (e.g. `REFRESH#<hour>`).
 */
export const tenantPk = (tenantId: string, entity: string, id: string) =>
  `TENANT#${tenantId}#${entity}#${id}`;

/** GSI1 partition for "all <entity> of a tenant", e.g. `TENANT#acme#POSTS`. */
export const tenantListPk = (tenantId: string, collection: string) => `TENANT#${tenantId}#${collection}`;

/** Random, URL-safe, sortable-enough id with an entity prefix: `pst_01J…`. */
export const newId = (prefix: string) => {
  const time = Date.now().toString(36).padStart(9, "0");
  const rand = Buffer.from(crypto.getRandomValues(new Uint8Array(10))).toString("base64url");
  return `${prefix}_${time}${rand}`;
};
