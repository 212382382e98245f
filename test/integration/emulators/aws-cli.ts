/**
 * Runs Debian's AWS CLI (`/usr/bin/aws`, 2.9: the SQS query protocol, no `AWS_ENDPOINT_URL`
 * support) against local endpoints with dummy credentials. `.ci/run` installs it; a pyenv
 * `aws` v1 may come first on PATH, so it is called by path.
 */
import { execFile } from "node:child_process";

export const AWS_CLI = "/usr/bin/aws";

/**
 * Deadline of one CLI call. The CLI is a Python program: about 1 s per call on an idle machine,
 * 10 s and more measured while other test tiers load the same two cores. Tests budget their
 * timeouts in calls of this length (a deadline, not a speed check).
 */
export const CLI_CALL_TIMEOUT_MS = 60_000;

/** The timeout of a test making `calls` CLI calls. */
export const cliTestTimeoutMs = (calls: number) => calls * CLI_CALL_TIMEOUT_MS;

/** The environment the CLI runs in: dummy credentials, us-east-1, no user config or pager. */
export function awsCliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_PAGER: "",
    ...extra,
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `aws --endpoint-url <endpoint> <args…> --output json`; resolves with the exit code and output. */
export function awsCli(endpoint: string, args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      AWS_CLI,
      ["--endpoint-url", endpoint, "--output", "json", ...args],
      { env: awsCliEnv(), timeout: CLI_CALL_TIMEOUT_MS },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Like {@link awsCli}, but fails on a non-zero exit and parses the JSON output. */
export async function awsJson<T = Record<string, unknown>>(
  endpoint: string,
  args: readonly string[],
): Promise<T> {
  const r = await awsCli(endpoint, args);
  if (r.code !== 0) throw new Error(`aws ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return (r.stdout.trim() ? JSON.parse(r.stdout) : {}) as T;
}
