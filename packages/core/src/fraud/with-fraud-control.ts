import type { ChargingService } from '../charging/charging-service.ts';
import { success } from '../kernel/result.ts';
import type { FraudMonitor } from './fraud-monitor.ts';

/**
 * The charging service with fraud control in front (issue 8). Authorize is checked before it
 * reaches charging (a suspended account or blocked destination is refused without touching the
 * store); every answer feeds the monitor's windows. A suspension goes through the ledger, so the
 * live calls of a suspended account get a final zero-second grant at their next update from
 * charging itself. Everything else passes through unchanged.
 */
export function withFraudControl(service: ChargingService, monitor: FraudMonitor):
  ChargingService {
  return {
    ...service,
    authorize: async (input) => {
      const refusal = await monitor.checkAuthorize(input);
      if (refusal !== null) return success(refusal);
      const result = await service.authorize(input);
      if (result.ok) await monitor.observeAuthorize(input, result.value);
      return result;
    },
    update: async (input) => {
      const result = await service.update(input);
      if (result.ok) await monitor.observeUsage(input.sessionId, result.value);
      return result;
    },
    terminate: async (input) => {
      const result = await service.terminate(input);
      if (result.ok) await monitor.observeUsage(input.sessionId, result.value);
      return result;
    },
    event: async (input) => {
      const result = await service.event(input);
      if (result.ok && result.value.status === 'charged') {
        await monitor.observeEvent(input, result.value);
      }
      return result;
    },
  };
}
