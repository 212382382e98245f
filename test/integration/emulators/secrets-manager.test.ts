import { randomUUID } from "node:crypto";
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSecretsManagerEmulator } from "../../../local/emulators/secrets-manager.js";
import type { ActivityEvent, RunningEmulator } from "../../../local/emulators/types.js";
import { localClientConfig, recordActivity } from "./helpers.js";

let emulator: RunningEmulator;
let sm: SecretsManagerClient;
let activity: ActivityEvent[];

beforeAll(async () => {
  emulator = await startSecretsManagerEmulator({ port: 0 });
  activity = recordActivity(emulator);
  sm = new SecretsManagerClient(localClientConfig(emulator.url));
});

afterAll(async () => {
  sm?.destroy();
  await emulator?.close();
});

const read = (SecretId: string, extra: { VersionId?: string; VersionStage?: string } = {}) =>
  sm.send(new GetSecretValueCommand({ SecretId, ...extra }));

describe("Secrets Manager emulator", () => {
  it("creates a secret with a suffixed ARN, readable by name, ARN and partial ARN", async () => {
    const created = await sm.send(
      new CreateSecretCommand({ Name: "herald/app-credentials", SecretString: '{"v":1}' }),
    );
    expect(created.ARN).toMatch(
      /^arn:aws:secretsmanager:us-east-1:000000000000:secret:herald\/app-credentials-[A-Za-z0-9]{6}$/,
    );
    for (const id of [created.Name!, created.ARN!, created.ARN!.slice(0, -7)]) {
      const got = await read(id);
      expect(got).toMatchObject({
        SecretString: '{"v":1}',
        VersionId: created.VersionId,
        VersionStages: ["AWSCURRENT"],
      });
    }
    await expect(
      sm.send(new CreateSecretCommand({ Name: "herald/app-credentials", SecretString: "x" })),
    ).rejects.toBeInstanceOf(ResourceExistsException);
    await expect(read("herald/nope")).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("rotates: the new value is AWSCURRENT, the old one stays readable as AWSPREVIOUS, the oldest loses its labels", async () => {
    const v1 = await sm.send(new CreateSecretCommand({ Name: "rotating", SecretString: "one" }));
    const v2 = await sm.send(new PutSecretValueCommand({ SecretId: "rotating", SecretString: "two" }));
    expect(v2.VersionStages).toEqual(["AWSCURRENT"]);
    expect((await read("rotating")).SecretString).toBe("two");
    expect(await read("rotating", { VersionStage: "AWSPREVIOUS" })).toMatchObject({
      SecretString: "one",
      VersionId: v1.VersionId,
    });

    const v3 = await sm.send(new PutSecretValueCommand({ SecretId: "rotating", SecretString: "three" }));
    const described = await sm.send(new DescribeSecretCommand({ SecretId: "rotating" }));
    expect(described.VersionIdsToStages).toEqual({
      [v2.VersionId!]: ["AWSPREVIOUS"],
      [v3.VersionId!]: ["AWSCURRENT"],
    });
    // The oldest version is unlabelled but still readable by id; asking for it with a label it lost fails.
    expect((await read("rotating", { VersionId: v1.VersionId })).SecretString).toBe("one");
    await expect(
      read("rotating", { VersionId: v1.VersionId, VersionStage: "AWSCURRENT" }),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(activity.some((e) => JSON.stringify(e).includes("three"))).toBe(false);
  });

  it("follows the rotation-Lambda sequence: AWSPENDING, then UpdateSecretVersionStage", async () => {
    const v1 = await sm.send(new CreateSecretCommand({ Name: "staged", SecretString: "old" }));
    const pendingId = randomUUID();
    await sm.send(
      new PutSecretValueCommand({
        SecretId: "staged",
        SecretString: "new",
        ClientRequestToken: pendingId,
        VersionStages: ["AWSPENDING"],
      }),
    );
    expect((await read("staged")).SecretString).toBe("old");
    expect((await read("staged", { VersionStage: "AWSPENDING" })).SecretString).toBe("new");

    await expect(
      sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: "staged",
          VersionStage: "AWSCURRENT",
          MoveToVersionId: pendingId,
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await sm.send(
      new UpdateSecretVersionStageCommand({
        SecretId: "staged",
        VersionStage: "AWSCURRENT",
        MoveToVersionId: pendingId,
        RemoveFromVersionId: v1.VersionId,
      }),
    );
    expect((await read("staged")).SecretString).toBe("new");
    expect((await read("staged", { VersionStage: "AWSPREVIOUS" })).SecretString).toBe("old");
    const { VersionIdsToStages } = await sm.send(new DescribeSecretCommand({ SecretId: "staged" }));
    expect(VersionIdsToStages?.[pendingId]?.sort()).toEqual(["AWSCURRENT", "AWSPENDING"]);
  });

  it("treats a replayed ClientRequestToken as a no-op, and the same token with another value as a conflict", async () => {
    await sm.send(new CreateSecretCommand({ Name: "idempotent", SecretString: "a" }));
    const token = randomUUID();
    const first = await sm.send(
      new PutSecretValueCommand({ SecretId: "idempotent", SecretString: "b", ClientRequestToken: token }),
    );
    const again = await sm.send(
      new PutSecretValueCommand({ SecretId: "idempotent", SecretString: "b", ClientRequestToken: token }),
    );
    expect(again.VersionId).toBe(first.VersionId);
    expect((await read("idempotent", { VersionStage: "AWSPREVIOUS" })).SecretString).toBe("a");
    await expect(
      sm.send(
        new PutSecretValueCommand({ SecretId: "idempotent", SecretString: "c", ClientRequestToken: token }),
      ),
    ).rejects.toBeInstanceOf(ResourceExistsException);
  });

  it("lists secrets with a name filter and pagination", async () => {
    for (const n of ["list/a", "list/b", "list/c"])
      await sm.send(new CreateSecretCommand({ Name: n, SecretString: n }));
    const names: string[] = [];
    let NextToken: string | undefined;
    do {
      const out = await sm.send(
        new ListSecretsCommand({ Filters: [{ Key: "name", Values: ["list/"] }], MaxResults: 2, NextToken }),
      );
      names.push(...(out.SecretList ?? []).map((s) => s.Name!));
      expect(out.SecretList?.every((s) => Object.keys(s.SecretVersionsToStages ?? {}).length === 1)).toBe(
        true,
      );
      NextToken = out.NextToken;
    } while (NextToken);
    expect(names).toEqual(["list/a", "list/b", "list/c"]);
  });

  it("schedules deletion (reads refused, restorable) or deletes at once when forced", async () => {
    await sm.send(new CreateSecretCommand({ Name: "doomed", SecretString: "x" }));
    const scheduled = await sm.send(new DeleteSecretCommand({ SecretId: "doomed", RecoveryWindowInDays: 7 }));
    expect(scheduled.DeletionDate).toBeInstanceOf(Date);
    await expect(read("doomed")).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(
      sm.send(new CreateSecretCommand({ Name: "doomed", SecretString: "y" })),
    ).rejects.toBeInstanceOf(InvalidRequestException);
    const listed = await sm.send(new ListSecretsCommand({ Filters: [{ Key: "name", Values: ["doomed"] }] }));
    expect(listed.SecretList ?? []).toHaveLength(0);
    await sm.send(new RestoreSecretCommand({ SecretId: "doomed" }));
    expect((await read("doomed")).SecretString).toBe("x");

    await sm.send(new DeleteSecretCommand({ SecretId: "doomed", ForceDeleteWithoutRecovery: true }));
    await expect(read("doomed")).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      sm.send(
        new DeleteSecretCommand({
          SecretId: "rotating",
          ForceDeleteWithoutRecovery: true,
          RecoveryWindowInDays: 7,
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it("stores binary secrets", async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    await sm.send(new CreateSecretCommand({ Name: "binary", SecretBinary: bytes }));
    const got = await read("binary");
    expect(got.SecretString).toBeUndefined();
    expect([...(got.SecretBinary ?? [])]).toEqual([...bytes]);
  });
});
