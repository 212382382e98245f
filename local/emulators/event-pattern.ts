/**
 * EventBridge event patterns: validation and matching, for the subset Herald's rules use.
 *
 * Supported: nested field matching; arrays of alternatives (any-of) on exact strings, numbers,
 * booleans and null; `prefix`, `suffix`, `equals-ignore-case`, `wildcard`, `exists`,
 * `anything-but` (a value, a list, or `{prefix}` / `{suffix}`) and `numeric` (`<`, `<=`, `=`,
 * `>`, `>=` pairs). An event field holding an array matches when any element matches.
 * Not supported: `$or`, `cidr`, matchers nested inside `anything-but` beyond prefix/suffix.
 */

type Json = Record<string, unknown>;

const NUMERIC_OPS = new Set(["<", "<=", "=", ">", ">="]);

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isScalar = (v: unknown) => v === null || ["string", "number", "boolean"].includes(typeof v);

/** Why `pattern` is not a valid event pattern, or undefined when it is. */
export function eventPatternError(pattern: unknown, path = ""): string | undefined {
  if (!isObject(pattern)) return `${path || "pattern"} must be a JSON object`;
  if (Object.keys(pattern).length === 0) return `${path || "pattern"} must not be empty`;
  for (const [key, value] of Object.entries(pattern)) {
    const here = path ? `${path}.${key}` : key;
    if (isObject(value)) {
      const nested = eventPatternError(value, here);
      if (nested) return nested;
    } else if (Array.isArray(value)) {
      if (value.length === 0) return `${here} must not be an empty array`;
      for (const m of value) {
        const e = matcherError(m, here);
        if (e) return e;
      }
    } else {
      return `${here}: match value must be an array or an object`;
    }
  }
  return undefined;
}

function matcherError(m: unknown, here: string): string | undefined {
  if (isScalar(m)) return undefined;
  if (!isObject(m) || Object.keys(m).length !== 1)
    return `${here}: unrecognised matcher ${JSON.stringify(m)}`;
  const [op, arg] = Object.entries(m)[0]!;
  switch (op) {
    case "prefix":
    case "suffix":
    case "equals-ignore-case":
    case "wildcard":
      return typeof arg === "string" ? undefined : `${here}: ${op} needs a string`;
    case "exists":
      return typeof arg === "boolean" ? undefined : `${here}: exists needs true or false`;
    case "anything-but":
      if (isScalar(arg) || (Array.isArray(arg) && arg.length > 0 && arg.every(isScalar))) return undefined;
      if (
        isObject(arg) &&
        Object.keys(arg).length === 1 &&
        ["prefix", "suffix"].includes(Object.keys(arg)[0]!)
      ) {
        return typeof Object.values(arg)[0] === "string"
          ? undefined
          : `${here}: anything-but ${Object.keys(arg)[0]} needs a string`;
      }
      return `${here}: unsupported anything-but value`;
    case "numeric": {
      if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0 || arg.length > 4) {
        return `${here}: numeric needs one or two [operator, number] pairs`;
      }
      for (let i = 0; i < arg.length; i += 2) {
        if (!NUMERIC_OPS.has(String(arg[i])) || typeof arg[i + 1] !== "number")
          return `${here}: bad numeric comparison`;
      }
      return undefined;
    }
    default:
      return `${here}: unsupported matcher ${op}`;
  }
}

/** True when `event` (an EventBridge envelope) matches the already-validated `pattern`. */
export function matchesEventPattern(pattern: Json, event: Json): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = event[key];
    if (Array.isArray(expected)) return expected.some((m) => matcherMatches(m, actual));
    if (isObject(expected)) return isObject(actual) && matchesEventPattern(expected, actual);
    return false;
  });
}

function matcherMatches(m: unknown, actual: unknown): boolean {
  const values = actual === undefined ? [] : Array.isArray(actual) ? actual : [actual];
  if (isScalar(m)) return values.some((v) => v === m);
  const [op, arg] = Object.entries(m as Json)[0]!;
  const strings = values.filter((v): v is string => typeof v === "string");
  switch (op) {
    case "exists":
      return arg === (actual !== undefined);
    case "prefix":
      return strings.some((v) => v.startsWith(String(arg)));
    case "suffix":
      return strings.some((v) => v.endsWith(String(arg)));
    case "equals-ignore-case":
      return strings.some((v) => v.toLowerCase() === String(arg).toLowerCase());
    case "wildcard": {
      const re = new RegExp(`^${String(arg).split("*").map(escapeRegExp).join(".*")}$`, "s");
      return strings.some((v) => re.test(v));
    }
    case "anything-but":
      return values.length > 0 && values.some((v) => !excluded(arg, v));
    case "numeric":
      return values.some((v) => typeof v === "number" && numericMatches(arg as unknown[], v));
    default:
      return false;
  }
}

function excluded(arg: unknown, v: unknown): boolean {
  if (Array.isArray(arg)) return arg.includes(v);
  if (isObject(arg)) {
    const [op, s] = Object.entries(arg)[0]!;
    if (typeof v !== "string") return false;
    return op === "prefix" ? v.startsWith(String(s)) : v.endsWith(String(s));
  }
  return arg === v;
}

function numericMatches(arg: unknown[], v: number): boolean {
  for (let i = 0; i < arg.length; i += 2) {
    const n = arg[i + 1] as number;
    const ok = { "<": v < n, "<=": v <= n, "=": v === n, ">": v > n, ">=": v >= n }[String(arg[i])];
    if (!ok) return false;
  }
  return true;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
