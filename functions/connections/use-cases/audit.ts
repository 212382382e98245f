/**
 * `GET /v1/tokens/audit` (admin): the tenant's token audit trail, newest first, paginated.
 *
 *   handler → listTokenAudit → AuditRepository.query
 */
import { ValidationError } from "../../platform/errors.js";
import type { AuditQuery, AuditRepository } from "./ports.js";

export async function listTokenAudit(deps: { audit: AuditRepository }, tenantId: string, query: AuditQuery) {
  if (query.from && query.to && query.from > query.to) {
    throw new ValidationError([
      { path: "query.from", code: "range", message: "`from` must not be after `to`." },
    ]);
  }
  return deps.audit.query(tenantId, query);
}
