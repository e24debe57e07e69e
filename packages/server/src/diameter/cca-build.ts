import type { Micros } from '@tollgate/core';
import type { LocalIdentity } from './base-answers.ts';
import type { CreditControlRequest } from './ccr-parse.ts';
import { avp, type OutAvp } from './diameter-codec.ts';
import { applicationIds, finalUnitActions, resultCodes } from './diameter-constants.ts';

/** ISO 4217 numeric codes for Currency-Code (RFC 4006 8.11); others omit Cost-Information. */
const currencyNumbers: Readonly<Record<string, number>> = {
  AED: 784, ARS: 32, AUD: 36, BDT: 50, BRL: 986, CAD: 124, CHF: 756, CLP: 152, CNY: 156,
  COP: 170, CZK: 203, DKK: 208, EGP: 818, EUR: 978, GBP: 826, HKD: 344, HUF: 348, IDR: 360,
  ILS: 376, INR: 356, JPY: 392, KES: 404, KRW: 410, MXN: 484, MYR: 458, NGN: 566, NOK: 578,
  NZD: 554, PEN: 604, PHP: 608, PKR: 586, PLN: 985, RON: 946, SAR: 682, SEK: 752, SGD: 702,
  THB: 764, TRY: 949, TWD: 901, UAH: 980, USD: 840, VND: 704, ZAR: 710,
};

export function currencyNumberOf(currency: string): number | undefined {
  return currencyNumbers[currency];
}

/** Micros as Unit-Value: Value-Digits x 10^Exponent, exact, without trailing zeros. */
export function unitValueOf(amountMicros: Micros | bigint): OutAvp {
  let digits: bigint = amountMicros;
  let exponent = -6;
  while (digits !== 0n && exponent < 0 && digits % 10n === 0n) {
    digits /= 10n;
    exponent += 1;
  }
  if (digits === 0n) exponent = 0;
  return avp('Unit-Value', [avp('Value-Digits', digits), avp('Exponent', exponent)]);
}

export function ccMoneyOf(amountMicros: Micros, currency: string): OutAvp[] {
  const number = currencyNumberOf(currency);
  return number === undefined ? []
    : [avp('CC-Money', [unitValueOf(amountMicros), avp('Currency-Code', number)])];
}

export function costInformationOf(amountMicros: Micros, currency: string): OutAvp[] {
  const number = currencyNumberOf(currency);
  return number === undefined ? [] : [avp('Cost-Information', [unitValueOf(amountMicros),
    avp('Currency-Code', number)])];
}

/** The fixed head of every CCA (RFC 4006 3.2), Session-Id first. */
export function ccaHead(
  local: LocalIdentity,
  request: Pick<CreditControlRequest, 'sessionId' | 'requestType' | 'requestNumber'>,
  resultCode: number,
): OutAvp[] {
  return [
    avp('Session-Id', request.sessionId),
    avp('Result-Code', resultCode),
    avp('Origin-Host', local.originHost),
    avp('Origin-Realm', local.originRealm),
    avp('Auth-Application-Id', applicationIds.creditControl),
    avp('CC-Request-Type', request.requestType),
    avp('CC-Request-Number', request.requestNumber),
  ];
}

/** The service echo of an MSCC: the request's Service-Identifiers and Rating-Group. */
function serviceEcho(service: CreditControlRequest['service']): OutAvp[] {
  return [...service.serviceIdentifiers.map((id) => avp('Service-Identifier', id)),
    ...(service.ratingGroup === null ? [] : [avp('Rating-Group', service.ratingGroup)])];
}

export interface GrantUnits {
  readonly seconds: number;
  /** The last grant: Final-Unit-Indication TERMINATE goes with it. */
  readonly final: boolean;
  /** Money units of the grant (event charging), when known. */
  readonly money?: readonly OutAvp[];
}

/**
 * GSU, Validity-Time (always, equal to the grant: protocols.md 9.8; at least 1 s) and FUI, in
 * an MSCC echoing the request's service when it sent one, at the top level otherwise.
 */
export function grantAvps(request: CreditControlRequest, units: GrantUnits): OutAvp[] {
  const granted = [avp('Granted-Service-Unit', [avp('CC-Time', units.seconds),
    ...(units.money ?? [])]), avp('Validity-Time', Math.max(1, units.seconds))];
  const final = units.final ? [avp('Final-Unit-Indication', [avp('Final-Unit-Action',
    finalUnitActions.terminate)])] : [];
  if (!request.service.present) return [...granted, ...final];
  return [avp('Multiple-Services-Credit-Control', [granted[0]!, ...serviceEcho(request.service),
    granted[1]!, avp('Result-Code', resultCodes.success), ...final])];
}

/** A refusal also carried inside the MSCC, so per-service clients see it too. */
export function refusalAvps(request: CreditControlRequest, resultCode: number): OutAvp[] {
  if (!request.service.present) return [];
  return [avp('Multiple-Services-Credit-Control', [...serviceEcho(request.service),
    avp('Result-Code', resultCode)])];
}
