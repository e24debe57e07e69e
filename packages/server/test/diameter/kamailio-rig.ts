import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Kamailio 5.6 (cdp + ims_charging as the Ro client, protocols.md 2.2) and SIPp, started by the
 * test on loopback with ports free at run time, stopped by PID.
 */

export const sippScenarios = fileURLToPath(new URL('./sipp/', import.meta.url));

export async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export interface KamailioPorts {
  readonly ocs: number;
  readonly acceptor: number;
  readonly sip: number;
  readonly callee: number;
}

function diameterXml(ports: KamailioPorts): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<DiameterPeer FQDN="kamailio.test.local" Realm="test.local" Vendor_Id="10415"
    Product_Name="CDiameterPeer" AcceptUnknownPeers="0" DropUnknownOnDisconnect="1" Tc="5"
    Workers="2" QueueLength="64" ConnectTimeout="3" TransactionTimeout="8"
    SessionsHashSize="128" DefaultAuthSessionTimeout="3600" MaxAuthSessionTimeout="3600">
  <Peer FQDN="localhost" Realm="test.local" port="${ports.ocs}" src_addr="127.0.0.1"/>
  <Acceptor port="${ports.acceptor}" bind="127.0.0.1"/>
  <Auth id="4" vendor="10415"/>
  <Auth id="4" vendor="0"/>
  <SupportedVendor vendor="10415"/>
  <DefaultRoute FQDN="localhost" metric="10"/>
</DiameterPeer>
`;
}

const modules = ['kex', 'corex', 'tm', 'tmx', 'sl', 'rr', 'pv', 'maxfwd', 'textops', 'siputils',
  'xlog', 'ctl', 'cdp', 'cdp_avp', 'ims_dialog', 'ims_charging'];

/**
 * protocols.md 2.2's configuration: the INVITE suspends on a CCR-I asking 10 s; 4012 becomes
 * 402, any other failure 500; a CCR-U goes 2 s before a grant ends asking 10 s more.
 */
function kamailioCfg(directory: string, ports: KamailioPorts): string {
  return `#!KAMAILIO
debug=2
log_stderror=yes
children=2
listen=udp:127.0.0.1:${ports.sip}
${modules.map((name) => `loadmodule "${name}.so"`).join('\n')}
modparam("ctl", "binrpc", "unix:${join(directory, 'kamailio_ctl')}")
modparam("cdp", "config_file", "${join(directory, 'diameter.xml')}")
modparam("ims_dialog", "dlg_flag", 4)
modparam("ims_dialog", "detect_spirals", 0)
modparam("ims_charging", "origin_host", "kamailio.test.local")
modparam("ims_charging", "origin_realm", "test.local")
modparam("ims_charging", "destination_realm", "test.local")
modparam("ims_charging", "destination_host", "localhost")
modparam("ims_charging", "interim_update_credits", 10)
modparam("ims_charging", "timer_buffer", 2)
modparam("ims_charging", "service_context_id_root", "32260@3gpp.org")

request_route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  if (has_totag()) {
    if (loose_route()) { t_relay(); exit; }
    if (is_method("ACK")) { if (t_check_trans()) { t_relay(); } exit; }
    sl_send_reply("404", "Not here"); exit;
  }
  if (is_method("CANCEL")) { if (t_check_trans()) t_relay(); exit; }
  if (is_method("INVITE")) {
    record_route();
    setflag(4);
    t_newtran();
    $var(cc_ret) = Ro_CCR("CCR_REPLY", "orig", 10, "1", "1");
    if ($var(cc_ret) < 0) { t_reply("402", "Payment Required"); }
    exit;
  }
  t_relay();
}
route[CCR_REPLY] {
  if ($avp(s:cca_return_code) == 1) { $du = "sip:127.0.0.1:${ports.callee}"; t_relay(); exit; }
  if ($avp(s:cca_result_code) == 4012) { t_reply("402", "Payment Required"); exit; }
  t_reply("500", "Charging Error");
  exit;
}
`;
}

export interface RunningKamailio {
  readonly process: ChildProcess;
  readonly logPath: string;
  stop(): Promise<void>;
  statistics(): Promise<string>;
}

export async function startKamailio(directory: string, ports: KamailioPorts):
  Promise<RunningKamailio> {
  writeFileSync(join(directory, 'diameter.xml'), diameterXml(ports));
  const cfgPath = join(directory, 'kamailio.cfg');
  writeFileSync(cfgPath, kamailioCfg(directory, ports));
  const logPath = join(directory, 'kamailio.log');
  const log = openSync(logPath, 'a');
  // ulimit -c 0: Kamailio 5.6 with cdp may crash on shutdown (protocols.md 2.2); no core files.
  const child = spawn('sh', ['-c', `ulimit -c 0; exec kamailio -f "${cfgPath}" -DD -E`],
    { stdio: ['ignore', log, log] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    logPath,
    async stop() {
      if (child.exitCode !== null || child.pid === undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
    statistics: () => new Promise((resolve) => execFile('kamcmd', ['-s',
      `unix:${join(directory, 'kamailio_ctl')}`, 'stats.get_statistics', 'ims_charging:'],
    { encoding: 'utf8', timeout: 5_000 }, (_error, stdout) => resolve(stdout ?? ''))),
  };
}

/** One ims_charging counter from `kamcmd stats.get_statistics` output (0 when absent). */
export function counterOf(statistics: string, name: string): number {
  const found = new RegExp(`${name} = (\\d+)`).exec(statistics);
  return found === null ? 0 : Number(found[1]);
}

export function kamailioLog(kamailio: RunningKamailio): string {
  return readFileSync(kamailio.logPath, 'utf8');
}

export interface SippRun {
  readonly exitCode: number | null;
  readonly output: string;
}

export interface RunningSipp {
  readonly done: Promise<SippRun>;
  /** Stops it by PID (a callee still waiting for calls that will never come). */
  stop(): void;
}

/** Runs SIPp (bounded by `timeoutMs`); exit code 0 means every call passed. */
export function startSipp(args: readonly string[], timeoutMs: number): RunningSipp {
  let child: ChildProcess | undefined;
  const done = new Promise<SippRun>((resolve) => {
    child = execFile('sipp', [...args, '-nostdin'], { encoding: 'utf8',
      timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 << 20 },
    (error, stdout, stderr) => resolve({ exitCode: error === null ? 0
      : typeof error.code === 'number' ? error.code : null, output: `${stdout}${stderr}` }));
    child.stdin?.end();
  });
  return { done, stop: () => { if (child?.exitCode === null) child.kill('SIGKILL'); } };
}

export function runSipp(args: readonly string[], timeoutMs: number): Promise<SippRun> {
  return startSipp(args, timeoutMs).done;
}

/** A callee that answers `calls` calls on `port`, started in the background. */
export function startCallee(port: number, calls: number, directory: string): RunningSipp {
  return startSipp(['-sf', join(sippScenarios, 'uas.xml'), '-i', '127.0.0.1', '-p',
    String(port), '-m', String(calls), '-trace_err', '-error_file',
    join(directory, `uas-${port}-errors.log`)], 120_000);
}

export interface CallerOptions {
  readonly scenario: 'uac-call.xml' | 'uac-cut.xml' | 'uac-refused.xml' | 'uac-maybe.xml';
  readonly user: string;
  readonly sipPort: number;
  readonly callerPort: number;
  readonly callMs: number;
  readonly calls: number;
  readonly callsPerSecond: number;
  readonly directory: string;
}

export function placeCalls(options: CallerOptions): Promise<SippRun> {
  return runSipp(['-sf', join(sippScenarios, options.scenario), `127.0.0.1:${options.sipPort}`,
    '-i', '127.0.0.1', '-p', String(options.callerPort), '-s', '4420700000',
    '-key', 'user', options.user, '-d', String(options.callMs), '-m', String(options.calls),
    '-l', String(options.calls), '-r', String(options.callsPerSecond), '-trace_err',
    '-error_file', join(options.directory, `uac-${options.user}-errors.log`)], 60_000);
}
