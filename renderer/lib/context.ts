/** The connection and live event hub, given to every component by App. */
import { createContext, useContext } from 'react';
import type { Client } from './client.js';
import type { EventHub } from './eventHub.js';

export interface Services {
  client: Client;
  hub: EventHub;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside <ServicesContext.Provider>');
  return services;
}

/** A readable message from anything a tRPC call may throw. */
export function errorText(err: unknown): string {
  if (!err) return '';
  const data = (err as { data?: { stepwise?: { code?: string } } }).data;
  const code = data?.stepwise?.code;
  const message = err instanceof Error ? err.message : String(err);
  return code ? `${code}: ${message}` : message;
}
