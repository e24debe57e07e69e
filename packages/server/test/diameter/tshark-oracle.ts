import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * tshark as an independent decoder (protocols.md 2.4): frames written as an od-style hex dump,
 * wrapped into TCP port 3868 packets by text2pcap, decoded by Wireshark's Diameter dissector.
 */

function hexDump(frames: readonly Uint8Array[]): string {
  const lines: string[] = [];
  for (const frame of frames) {
    for (let offset = 0; offset < frame.length; offset += 16) {
      const bytes = Array.from(frame.subarray(offset, offset + 16),
        (byte) => byte.toString(16).padStart(2, '0'));
      lines.push(`${offset.toString(16).padStart(6, '0')} ${bytes.join(' ')}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/**
 * For each frame, for each field, every occurrence tshark decoded (in message order). The
 * extra `expert` column lists tshark's expert messages (malformed AVPs and the like).
 */
export function tsharkFields(
  frames: readonly Uint8Array[],
  fields: readonly string[],
): { values: Record<string, string[]>; expert: string[] }[] {
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-tshark-'));
  try {
    const hexPath = join(directory, 'frames.hex');
    const pcapPath = join(directory, 'frames.pcap');
    writeFileSync(hexPath, hexDump(frames));
    execFileSync('text2pcap', ['-q', '-T', '3868,40000', hexPath, pcapPath]);
    const separator = '\u001f';
    const output = execFileSync('tshark', ['-n', '-r', pcapPath, '-d', 'tcp.port==3868,diameter',
      '-T', 'fields', '-E', 'occurrence=a', '-E', `separator=${separator}`,
      '-E', 'aggregator=\u001e', ...fields.flatMap((field) => ['-e', field]),
      '-e', '_ws.expert.message'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return output.split('\n').filter((line) => line !== '').map((line) => {
      const columns = line.split(separator);
      const split = (text: string | undefined) => text === undefined || text === '' ? []
        : text.split('\u001e');
      const values: Record<string, string[]> = {};
      fields.forEach((field, index) => { values[field] = split(columns[index]); });
      return { values, expert: split(columns[fields.length]) };
    });
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
