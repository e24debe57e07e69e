import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The real `tollgate serve` process (compiled by `npm test` before vitest starts), on a free
// port: real sockets, real signals, everything it prints captured.
const bin = fileURLToPath(new URL('../../bin/tollgate.js', import.meta.url));
export const serveStartTimeoutMs = 20_000;

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  /** Everything printed so far, stdout and stderr interleaved. */
  output(): string;
  exited: Promise<number | null>;
}

/** Starts `tollgate serve --port 0 ...args` with the test's environment plus `env`. */
export async function startServe(args: readonly string[], env: Record<string, string>):
  Promise<ServeProcess> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + serveStartTimeoutMs;
  for (;;) {
    const match = /listening on (http:\/\/[^ ]+)/.exec(output);
    if (match?.[1] !== undefined) return { child, baseUrl: match[1], output: () => output, exited };
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`tollgate serve did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
