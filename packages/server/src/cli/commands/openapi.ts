import { loadConfig } from '../../config/load-config.ts';
import { openApiDocumentText } from '../../http/openapi-document.ts';
import { exitCodes, usageError, type CommandOutcome } from '../cli-io.ts';

/**
 * `tollgate openapi`: prints the OpenAPI document (regenerate the committed one with
 * `npx tollgate openapi > packages/server/openapi.json`). Written raw, not as a JSON value.
 */
export async function openApiCommand(args: string[]): Promise<CommandOutcome> {
  if (args.length > 0) return usageError('invalid_arguments', 'openapi takes no arguments');
  // Defaults only: the document must not depend on the environment it is printed in.
  const config = loadConfig({ env: {} });
  if (!config.ok) return usageError(config.code, config.message);
  process.stdout.write(await openApiDocumentText(config.value));
  return { exitCode: exitCodes.ok };
}
