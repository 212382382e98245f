import type { Clock, ProviderName, Publication, PublicationLog } from "./types.js";

/** The sandbox's record of everything a provider made public, oldest first. */
export function createPublicationLog(clock: Clock): PublicationLog & { clear(): void } {
  const entries: Publication[] = [];
  return {
    record(p) {
      const entry: Publication = { ...p, at: new Date(clock.now()).toISOString() };
      entries.push(entry);
      return entry;
    },
    list(filter?: { provider?: ProviderName; target?: string }) {
      return entries.filter(
        (e) =>
          (filter?.provider === undefined || e.provider === filter.provider) &&
          (filter?.target === undefined || e.target === filter.target),
      );
    },
    clear() {
      entries.length = 0;
    },
  };
}
