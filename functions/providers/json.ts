/** Reading fields out of provider answers without trusting their shape. */

export type Json = Record<string, unknown>;

export const isRecord = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** An integer, also when the provider sent it as a string of digits. */
export const asInt = (v: unknown): number | undefined => {
  const n = typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) ? n : undefined;
};

/** A non-empty string, else undefined. */
export const asText = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
