/**
 * Publishing to Facebook Pages (`facebook.ts`) and Instagram professional accounts
 * (`instagram.ts`) through one Meta Graph client: the target's kind picks the publisher.
 */
import type { Publisher } from "../publisher.js";
import type { MetaClient } from "./client.js";
import { facebookPublisher } from "./facebook.js";
import { instagramPublisher } from "./instagram.js";

export function metaPublisher(client: MetaClient): Publisher {
  const facebook = facebookPublisher(client);
  const instagram = instagramPublisher(client);
  return {
    step(input, state) {
      return input.target.kind === "instagram_account"
        ? instagram.step(input, state)
        : facebook.step(input, state);
    },
  };
}
