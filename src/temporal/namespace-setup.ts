// Checks (and on a local dev server, fixes) what Baton needs of its namespace: its search
// attributes, without which every workflow task fails, and a retention longer than a day.
import type { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import Long from 'long';
import { BATON_SEARCH_ATTRIBUTE_NAMES } from '../domain/search-attributes.js';

const KEYWORD = proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

export class NamespaceSetupError extends Error {
  override name = 'NamespaceSetupError';
}

export async function missingSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const response = await connection.operatorService.listSearchAttributes({ namespace });
  const registered = response.customAttributes ?? {};
  return BATON_SEARCH_ATTRIBUTE_NAMES.filter((name) => registered[name] !== KEYWORD);
}

/** How to register the attributes by hand, for a server Baton does not manage. */
export function registerCommand(namespace: string, names: readonly string[]): string {
  const flags = names.map((n) => `--name ${n}`).join(' ');
  return `temporal operator search-attribute create --namespace ${namespace} ${flags} --type Keyword`;
}

/**
 * On a server Baton manages, registers what is missing and sets the retention; elsewhere, only
 * checks and says exactly what to run.
 */
export async function prepareNamespace(connection: Connection, namespace: string, options: { manage: boolean; retentionDays: number }): Promise<void> {
  const missing = await missingSearchAttributes(connection, namespace);
  if (missing.length > 0) {
    if (!options.manage) {
      throw new NamespaceSetupError(
        `namespace "${namespace}" lacks Baton's search attributes ${missing.join(', ')}; every run would fail until they exist. ` +
          `Register them with: ${registerCommand(namespace, missing)} (on Temporal Cloud: tcld namespace search-attributes add, or the Cloud UI).`,
      );
    }
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])),
    });
  }
  if (options.manage) await setRetention(connection, namespace, options.retentionDays);
}

async function setRetention(connection: Connection, namespace: string, days: number): Promise<void> {
  const seconds = days * 24 * 3600;
  const current = await connection.workflowService.describeNamespace({ namespace });
  if (Number(current.config?.workflowExecutionRetentionTtl?.seconds ?? 0) === seconds) return;
  await connection.workflowService.updateNamespace({
    namespace,
    config: { workflowExecutionRetentionTtl: { seconds: Long.fromNumber(seconds) } },
  });
}
