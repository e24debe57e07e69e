import { assert } from '../kernel/assert.ts';
import { emptyProfile, hoursPerDay, type ActivityProfile } from './account-activity.ts';
import { fraudLimits } from './fraud-limits.ts';

interface ProfileJson {
  readonly v: 1;
  /** [destination, lastDay, previousDay] */
  readonly d: Array<[string, number, number]>;
  readonly h: number[];
  readonly l: number[];
  readonly f: number | null;
}

/** The long-lived part of an account's state, as stored in a snapshot. */
export function profileToJson(profile: ActivityProfile): string {
  const json: ProfileJson = { v: 1,
    d: [...profile.destinations].map(([key, seen]) => [key, seen.lastDay, seen.previousDay]),
    h: profile.hourDays, l: profile.hourLastDay, f: profile.firstDay };
  return JSON.stringify(json);
}

/** A snapshot back into a profile; a malformed one is a bug of this module (asserted). */
export function profileFromJson(text: string): ActivityProfile {
  const json = JSON.parse(text) as ProfileJson;
  assert(json.v === 1 && Array.isArray(json.d) && json.h.length === hoursPerDay &&
    json.l.length === hoursPerDay, 'a profile snapshot has the shape this module writes');
  const profile = emptyProfile();
  const kept = json.d.slice(0, fraudLimits.destinationsPerAccountMax);
  for (const [key, lastDay, previousDay] of kept) {
    profile.destinations.set(key, { lastDay, previousDay });
  }
  for (let hour = 0; hour < hoursPerDay; hour += 1) {
    profile.hourDays[hour] = json.h[hour]!;
    profile.hourLastDay[hour] = json.l[hour]!;
  }
  profile.firstDay = json.f;
  return profile;
}
