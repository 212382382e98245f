/** The local AWS emulators: start each on loopback and point SDK clients at `url`. */
export { startEventBridgeEmulator } from "./eventbridge.js";
export { type KmsEmulatorOptions, type PreloadedKey, startKmsEmulator } from "./kms.js";
export { startSchedulerEmulator } from "./scheduler.js";
export { startSecretsManagerEmulator } from "./secrets-manager.js";
export { startSqsEmulator } from "./sqs.js";
export type { ActivityEvent, EmulatorBaseOptions, RunningEmulator } from "./types.js";
