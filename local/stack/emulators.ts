/**
 * Loads the AWS emulators (local/emulators/) at run time. Typed against the emulators'
 * contract (local/emulators/types.ts) so the stack builds while the emulator set evolves.
 */
import type { EmulatorBaseOptions, RunningEmulator } from "../emulators/types.js";

export type { RunningEmulator } from "../emulators/types.js";

export interface EmulatorsModule {
  startSqsEmulator(opts: EmulatorBaseOptions): Promise<RunningEmulator>;
  startSchedulerEmulator(opts: EmulatorBaseOptions & { sqsEndpoint: string }): Promise<RunningEmulator>;
  startSecretsManagerEmulator(opts: EmulatorBaseOptions): Promise<RunningEmulator>;
  startKmsEmulator(
    opts: EmulatorBaseOptions & {
      keys?: readonly { keyId: string; material: string; description?: string }[];
    },
  ): Promise<RunningEmulator>;
  startEventBridgeEmulator(
    opts: EmulatorBaseOptions & {
      sqsEndpoint: string;
      invokeFunction?: (target: { arn: string }, event: unknown) => Promise<void>;
    },
  ): Promise<RunningEmulator>;
}

// A variable specifier keeps the type checker from following the import; the contract above is the type.
const EMULATORS = "../emulators/index.js";

export async function loadEmulators(): Promise<EmulatorsModule> {
  try {
    return (await import(EMULATORS)) as EmulatorsModule;
  } catch (error) {
    throw new Error(
      `The AWS emulators (local/emulators/index.ts) could not be loaded: ${(error as Error).message}`,
    );
  }
}
