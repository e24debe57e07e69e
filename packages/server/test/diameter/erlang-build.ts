import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Erlang/OTP client's scripts and callback module (protocols.md 2.3). */
export const erlangFixtures = fileURLToPath(new URL('./erlang/', import.meta.url));

function diameterLibDir(): string {
  return execFileSync('erl', ['-noshell', '-eval',
    'io:format("~s", [code:lib_dir(diameter)]), halt().'], { encoding: 'utf8' }).trim();
}

/**
 * Compiles OTP's RFC 4005/4006 example dictionaries and the callback module into a fresh
 * directory. The RFC 4006 dictionary gets the RAR/RAA and ASR/ASA of our own fixture
 * (server_requests.dia) in its messages, so the client checks Tollgate's requests too.
 */
export function buildErlangClient(): string {
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-erlang-'));
  const dictionaries = join(diameterLibDir(), 'examples', 'dict');
  copyFileSync(join(dictionaries, 'rfc4005_nas.dia'), join(directory, 'rfc4005_nas.dia'));
  const creditControl = readFileSync(join(dictionaries, 'rfc4006_cc.dia'), 'utf8');
  const serverRequests = readFileSync(join(erlangFixtures, 'server_requests.dia'), 'utf8');
  if (!creditControl.includes('\n@grouped')) throw new Error('rfc4006_cc.dia has no @grouped');
  writeFileSync(join(directory, 'rfc4006_cc.dia'),
    creditControl.replace('\n@grouped', `\n${serverRequests}\n@grouped`));
  const inherit = ['--inherits', 'common/diameter_gen_base_rfc6733'];
  const options = { cwd: directory, stdio: 'pipe' as const };
  execFileSync('diameterc', [...inherit, 'rfc4005_nas.dia'], options);
  execFileSync('erlc', ['-I', '.', 'rfc4005_nas.erl'], options);
  execFileSync('diameterc', ['-i', '.', ...inherit, 'rfc4006_cc.dia'], options);
  execFileSync('erlc', ['-I', '.', 'rfc4006_cc.erl'], options);
  for (const module of ['tollgate_cc_cb.erl', 'tollgate_cc_client.erl']) {
    execFileSync('erlc', [join(erlangFixtures, module)], options);
  }
  return directory;
}

/** The fields of an "answer <label> k=v ..." or "request <name> k=v ..." line. */
export function fieldsOf(rest: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const pair of rest.split(' ')) {
    const [key, value] = pair.split('=');
    fields[key!] = value ?? '';
  }
  return fields;
}
