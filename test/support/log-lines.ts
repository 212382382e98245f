/**
 * Every JSON log line the Powertools logger (and its children) write while a test runs.
 * Call in `beforeEach`; the spies it installs are undone by `vi.restoreAllMocks()`.
 */
import { vi } from "vitest";

export function captureLogLines(): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  const capture = (chunk: unknown) => {
    for (const line of String(chunk).split("\n")) {
      if (line.trim().startsWith("{")) lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(capture);
  vi.spyOn(process.stderr, "write").mockImplementation(capture);
  return lines;
}
